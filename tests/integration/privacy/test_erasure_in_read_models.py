"""Read models blank only the personal data an erasure destroyed, never rows picked out by
the subject id's text: the case register agrees with the events every other reader decodes."""

from __future__ import annotations

import psycopg
import pytest

from services.cases import Applicant, CaseRequest, CaseService
from services.privacy import ERASED, PrivacyService, RecordOfSubjectError
from services.privacy.domain import ErasureRequest
from services.store import decode
from tests.integration.read_models.conftest import ITEM, _setup

REASON = "申请人请求删除"


@pytest.fixture
def case_hall(platform, tenant_id) -> str:
    return _setup(platform, tenant_id)


def _request(platform, hall, applicant: str, name: str):
    person = Applicant(applicant, name, "110101199003070011", "13800000000")
    request = CaseRequest("ONSITE_GUIDANCE", ITEM, "企业设立登记", "HALL", person)
    return platform.hall_app(CaseService, hall).request_case(request, applicant)


def _register_names(database_url, hall) -> dict[str, str]:
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT case_id::text, applicant_name FROM case_register WHERE tenant_id = %s",
            (hall,),
        ).fetchall()
    return dict(rows)


def _event_names(platform, hall) -> dict[str, str]:
    """The applicant names in the ``CaseRequested`` events, as every other reader sees them."""
    events = [decode(n) for n in platform.store.recorder(hall).select_notifications(1, 10_000)]
    return {str(e.originator_id): e.applicant_name for e in events if hasattr(e, "applicant_name")}


def test_erasing_the_record_of_a_case_is_refused_and_the_register_keeps_the_name(
    platform, project, case_hall, database_url
):
    case = _request(platform, case_hall, "citizen-9", "东方未删")
    with pytest.raises(RecordOfSubjectError, match="'citizen-9'"):
        platform.hall_app(PrivacyService, case_hall).erase_personal_data(
            f"record:{case.id}", REASON, "admin-1"
        )
    project()
    assert _register_names(database_url, case_hall) == {str(case.id): "东方未删"}
    assert _event_names(platform, case_hall) == {str(case.id): "东方未删"}


def test_an_erasure_in_the_log_that_destroyed_no_key_blanks_no_register_row(
    platform, project, case_hall, database_url
):
    """Erasures of ``record:<case id>`` recorded before they were refused destroyed nothing:
    the register (live, and so any rebuild) shows what the events show."""
    case = _request(platform, case_hall, "citizen-8", "西门仍在")
    privacy = platform.hall_app(PrivacyService, case_hall)
    for records in ([], [str(case.id)]):
        privacy.save(
            ErasureRequest(
                hall_id=case_hall,
                subject_id=f"record:{case.id}",
                reason=REASON,
                record_ids=records,
                actor="admin-1",
            )
        )
    project()
    assert _register_names(database_url, case_hall) == _event_names(platform, case_hall)
    assert _register_names(database_url, case_hall) == {str(case.id): "西门仍在"}


def test_erasing_an_applicant_blanks_only_their_cases_in_the_register(
    platform, project, case_hall, database_url
):
    erased = _request(platform, case_hall, "citizen-7", "南宫删除")
    kept = _request(platform, case_hall, "citizen-6", "北堂保留")
    privacy = platform.hall_app(PrivacyService, case_hall)
    assert privacy.erase_personal_data("citizen-7", REASON, "admin-1").record_ids == [
        str(erased.id)
    ]
    project()
    names = _register_names(database_url, case_hall)
    assert names == {str(erased.id): ERASED, str(kept.id): "北堂保留"}
    assert names == _event_names(platform, case_hall)
