"""An erasure recorded while a rebuild runs reaches the tables the rebuild swaps in: the
rebuild applies the log up to the head, then the events recorded since in the swap's
transaction, ``PersonalDataErased`` among them. (What a rebuild that died left is swept:
``tests/integration/projections/test_rebuild_leftovers.py``.)"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from deploy.bootstrap import Platform
from projections.cases import CaseRegisterProjection
from projections.runtime import Rebuild
from services.cases import Applicant, CaseRequest, CaseService
from services.privacy import ERASED, PrivacyService
from tests.fixtures.postgres import fresh_database
from tests.integration.projections.support import open_platform
from tests.integration.read_models.conftest import ITEM, _setup

SHADOW = "yanshen_rebuild_case_register"


@pytest.fixture(scope="module")
def own_platform(admin_database_url: str, worker_id: str) -> Iterator[Platform]:
    """A database of its own: a whole rebuild acts on every hall of it."""
    url = fresh_database(admin_database_url, f"yanshen_test_privacy_rebuild_{worker_id}")
    platform = open_platform(url)
    yield platform
    platform.close()


def _request(platform: Platform, hall: str, applicant: str, name: str) -> Any:
    person = Applicant(applicant, name, "110101199003070011", "13800000000")
    request = CaseRequest("ONSITE_GUIDANCE", ITEM, "企业设立登记", "HALL", person)
    return platform.hall_app(CaseService, hall).request_case(request, applicant)


def _names(url: str, hall: str) -> dict[str, str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT case_id::text, applicant_name FROM case_register WHERE tenant_id = %s",
            (hall,),
        ).fetchall()
    return {str(c): str(n) for c, n in rows}


@pytest.mark.parametrize("whole", [True, False], ids=["all-halls", "one-hall"])
def test_an_erasure_during_a_rebuild_is_in_the_register_it_swaps_in(own_platform, whole):
    hall = f"erase-during-{'all' if whole else 'one'}"
    url = own_platform.database_url
    _setup(own_platform, hall)
    erased = _request(own_platform, hall, f"{hall}-subject", "慕容删除")
    kept = [_request(own_platform, hall, f"{hall}-x{i}", f"路人{i}") for i in range(20)]
    worker = own_platform.projection_worker()
    worker.run_once()
    worker.close()
    seen: dict[str, Any] = {}

    def erase_once_copied(done: int, total: int) -> None:
        """After each of the rebuild's batches: once the shadow holds the name, erase."""
        if seen:
            return
        with psycopg.connect(url) as conn:
            row = conn.execute(
                f"SELECT applicant_name FROM {SHADOW}.case_register WHERE case_id = %s",
                (erased.id,),
            ).fetchone()
        if row is not None:
            seen["shadow before"] = row[0]
            own_platform.hall_app(PrivacyService, hall).erase_personal_data(
                f"{hall}-subject", "申请人请求删除", "admin-1"
            )

    job = Rebuild(
        url,
        own_platform.worker_pool,
        CaseRegisterProjection(),
        tenant=None if whole else hall,
        batch_size=1,
        progress=erase_once_copied,
    )
    assert job.run().swapped
    assert seen == {"shadow before": "慕容删除"}  # the erasure came after the copy
    # No live worker ran since the erasure: the rebuild applied it before its swap.
    names = _names(url, hall)
    assert names[str(erased.id)] == ERASED
    assert {names[str(case.id)] for case in kept} == {f"路人{i}" for i in range(20)}
    with psycopg.connect(url) as conn:
        head = conn.execute(
            "SELECT position FROM tenant_heads WHERE tenant_id = %s", (hall,)
        ).fetchone()
        live = conn.execute(
            "SELECT position FROM consumer_positions"
            " WHERE consumer = 'projection:case_register' AND tenant_id = %s",
            (hall,),
        ).fetchone()
    assert live == head
