"""``yanshen rebuild --jobs N``: the rebuild's own process takes halls beside ``N - 1``
spawned ones (a spawned process spends about a second importing before its first batch),
and every batch of every hall is applied once."""

from __future__ import annotations

import os
from typing import Any

import pytest

from projections.catalog import CatalogProjection
from projections.runtime import Rebuild
from tests.integration.projections.support import drive, make_halls

HALLS = [f"rp-{letter}" for letter in "abcdef"]


class CatalogNotingProcesses(CatalogProjection):
    """The catalog, noting each batch and the process that applied it in a directory
    (module level: rebuild processes unpickle it)."""

    sql_source = "projections.catalog"
    notes = ""

    def apply_batch(self, conn: Any, batch: Any) -> None:
        with open(f"{self.notes}/{batch.tenant_id}@{batch.after}@{os.getpid()}", "w"):
            pass
        super().apply_batch(conn, batch)


@pytest.fixture(scope="module")
def halls(own_platform):
    made = make_halls(own_platform, HALLS)
    drive(made, 40)
    return made


def test_two_jobs_are_this_process_and_one_spawned_one_and_apply_each_batch_once(
    db_url, own_platform, halls, tmp_path
):
    own_platform.projection_worker().run_once()
    projection = CatalogNotingProcesses()
    projection.notes = str(tmp_path)

    report = Rebuild(db_url, own_platform.worker_pool, projection, jobs=2, batch_size=5).check()

    assert report.identical, [d for d in report.differences if not d.identical]
    notes = [path.name.rsplit("@", 1) for path in tmp_path.iterdir()]
    batches = [batch for batch, _ in notes]
    assert len(batches) == len(set(batches))
    assert {batch.split("@")[0] for batch in batches} == set(HALLS)
    processes = {int(pid) for _, pid in notes}
    assert os.getpid() in processes
    assert len(processes) <= 2
