"""Replaying a hall through fresh projections into a separate schema, compared with live."""

from __future__ import annotations

import threading
from functools import singledispatchmethod
from typing import Any

import psycopg
import pytest

from deploy.bootstrap import all_projections
from projections.catalog import CatalogProjection
from projections.runtime.rebuild import Rebuild
from services.audit import ReplayUnsettledError
from services.audit import replay as replay_module
from services.audit.replay import replay_hall, replay_schema
from services.privacy import ERASED, ErasureRequest, PrivacyService
from services.staff import StaffMember
from services.store import decode, record_consumer_position

_SQL = """
CREATE TABLE IF NOT EXISTS audit_test_staff_names (
    tenant_id text NOT NULL,
    staff_id  text NOT NULL,
    name      text NOT NULL,
    PRIMARY KEY (tenant_id, staff_id)
);
GRANT SELECT, INSERT, UPDATE, DELETE ON audit_test_staff_names TO yanshen_worker;
"""

_ADVISORY_HELD = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = %s"


class StaffNames:
    """A read model that copies a personal field, and blanks it on erasure (the rule)."""

    name = "audit_test_staff_names"
    consumer = "projection:audit_test_staff_names"
    tables = ("audit_test_staff_names",)

    def schema_sql(self) -> list[str]:
        return [_SQL]

    @singledispatchmethod
    def apply(self, event: Any, conn: psycopg.Connection, tenant_id: str, position: int) -> None:
        """Other events change nothing."""

    @apply.register
    def _(self, event: StaffMember.Onboarded, conn, tenant_id, position) -> None:
        conn.execute(
            "INSERT INTO audit_test_staff_names VALUES (%s, %s, %s)",
            (tenant_id, str(event.originator_id), event.name),
        )

    @apply.register
    def _(self, event: ErasureRequest.PersonalDataErased, conn, tenant_id, position) -> None:
        # A staff member's name names no subject: it is sealed with the record's subject, so
        # its rows are those of record_ids (never a record id taken from subject_id's text).
        conn.execute(
            "UPDATE audit_test_staff_names SET name = %s"
            " WHERE tenant_id = %s AND staff_id = ANY(%s)",
            (ERASED, tenant_id, event.record_ids),
        )


@pytest.fixture
def live_staff_names(database_url, platform):
    """The live table of :class:`StaffNames`, brought up to date by :func:`run_live`."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(_SQL)

    def run_live(hall: str) -> None:
        projection = StaffNames()
        notifications = platform.store.recorder(hall).select_notifications(1, 10_000)
        with platform.worker_pool.connection() as conn, conn.transaction():
            conn.execute("DELETE FROM audit_test_staff_names WHERE tenant_id = %s", (hall,))
            for n in notifications:
                projection.apply(decode(n), conn, hall, n.id)
            record_consumer_position(conn, projection.consumer, hall, notifications[-1].id)

    return run_live


def test_a_replay_matches_the_live_read_models(
    platform, reader, seeded, auditor, database_url, project
):
    project()
    progress = []
    report = replay_hall(
        reader,
        database_url,
        platform.worker_pool,
        seeded,
        all_projections(),
        auditor,
        batch_size=4,
        progress=lambda done, total: progress.append((done, total)),
    )
    assert report.identical, [t.samples for t in report.tables]
    # Up to the live models' position: the replay's own access record (12) came after it.
    assert report.position == report.events == 11
    assert report.head == 12
    assert progress[-1] == (11, 11)
    catalog = next(t for t in report.tables if t.table == "catalog_items")
    assert catalog.live_rows == catalog.replayed_rows == 3
    with psycopg.connect(database_url) as conn:
        row = conn.execute("SELECT to_regnamespace(%s)", (replay_schema(seeded),)).fetchone()
    assert row[0] is None  # dropped


def test_a_replay_reports_a_live_row_that_differs(
    platform, reader, seeded, auditor, database_url, project
):
    project()
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(
            "UPDATE catalog_items SET name = '被篡改' WHERE tenant_id = %s AND code = 'RX-001'",
            (seeded,),
        )
    report = replay_hall(
        reader, database_url, platform.worker_pool, seeded, all_projections(), auditor
    )
    assert not report.identical
    (catalog,) = [t for t in report.tables if not t.identical]
    assert (catalog.table, catalog.only_live, catalog.only_replayed) == ("catalog_items", 1, 1)
    assert any("被篡改" in s for s in catalog.samples)


def test_a_rebuild_swaps_no_table_under_a_replays_comparison(
    platform, reader, seeded, auditor, database_url, project, monkeypatch
):
    """The comparison reads one snapshot; a swap committed after it began would show it the
    rebuilt catalog table, whose rows that snapshot cannot see (0 live rows: "differs")."""
    project()
    compare = replay_module._compare
    rebuilds: list[Any] = []

    def rebuild() -> None:
        try:
            rebuilds.append(Rebuild(database_url, platform.worker_pool, CatalogProjection()).run())
        except Exception as error:
            rebuilds.append(error)

    held: list[int] = []

    def compare_while_the_catalog_is_rebuilt(conn: Any, *args: Any) -> Any:
        with psycopg.connect(database_url) as other:
            row = other.execute(_ADVISORY_HELD, (conn.info.backend_pid,)).fetchone()
        held.append(row[0])
        if not rebuilds:
            thread = threading.Thread(target=rebuild)
            rebuilds.append(thread)
            thread.start()
            thread.join(timeout=3)  # long enough to build and swap, unless the swap waits
        return compare(conn, *args)

    monkeypatch.setattr(replay_module, "_compare", compare_while_the_catalog_is_rebuilt)
    report = replay_hall(
        reader, database_url, platform.worker_pool, seeded, all_projections(), auditor
    )
    rebuilds[0].join(timeout=120)
    done = rebuilds[1:]
    assert report.identical, [t.samples for t in report.tables if not t.identical]
    assert done, "the rebuild did not finish"
    assert done[0].swapped, done  # the swap went ahead once the comparison was over
    # One projection's lock at a time (a swap waits for one comparison, not the replay's).
    assert set(held) == {1}


def test_a_replay_whose_live_model_keeps_moving_compares_nothing_and_says_so(
    platform, reader, seeded, auditor, database_url, project, monkeypatch
):
    project()
    live_position = replay_module._Replay.live_position

    def catalog_always_ahead(self: Any, conn: Any, name: str) -> int:
        if name == "catalog":
            return self.at[name] + 1  # a live worker applied one more event each time
        return live_position(self, conn, name)

    monkeypatch.setattr(replay_module._Replay, "live_position", catalog_always_ahead)
    with pytest.raises(ReplayUnsettledError, match="catalog"):
        replay_hall(reader, database_url, platform.worker_pool, seeded, all_projections(), auditor)
    with psycopg.connect(database_url) as conn:
        row = conn.execute("SELECT to_regnamespace(%s)", (replay_schema(seeded),)).fetchone()
    assert row == (None,)  # dropped all the same


def test_erased_data_is_not_in_a_replay_or_any_table(
    platform, reader, seeded, auditor, database_url, live_staff_names, find_plaintext, project
):
    live_staff_names(seeded)
    project()  # the staff roster (hall_setup) copies the name too
    wang = StaffMember.create_id(seeded, "S001")
    assert sorted(find_plaintext("王芳", tenant=seeded)) == [
        "public.audit_test_staff_names",
        "public.hall_setup_staff",
    ]  # copied in plaintext by the read models, before erasure
    platform.hall_app(PrivacyService, seeded).erase_personal_data(
        f"record:{wang}", "离职人员请求删除", "admin-1"
    )
    live_staff_names(seeded)
    project()
    report = replay_hall(
        reader, database_url, platform.worker_pool, seeded, [StaffNames()], auditor, keep=True
    )
    assert report.identical, report.tables
    # Other halls seeded by earlier tests have a 王芳 of their own: only this hall's rows.
    assert find_plaintext("王芳", tenant=seeded) == []
    with psycopg.connect(database_url, autocommit=True) as conn:
        names = conn.execute(
            f"SELECT name FROM {replay_schema(seeded)}.audit_test_staff_names"
            " WHERE tenant_id = %s ORDER BY name",
            (seeded,),
        ).fetchall()
        conn.execute(f"DROP SCHEMA {replay_schema(seeded)} CASCADE")
    assert [n for (n,) in names] == sorted([ERASED, "李强", "陈静"])
