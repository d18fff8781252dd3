"""Upgrading a database of the previous release (6b02569) in place: ``yanshen migrate`` then
the projection worker, on a database the old code wrote.

The old state is built the way the old release left it, without its code: every migration
but this release's four (``store/0011``, ``store/0012``, ``gateway_state/0002``,
``runtime/0003``), events
as the old code stored them (``GrantIssued`` v1 with ``queue.*`` expanded to the 21 queue
types of that release, ``HallPoliciesChanged`` v1 without ``invite_served_visits``, a staff
member onboarded with a lower-case 工号), the read models a worker built before versions
were recorded (the audit trail's tables, positions and migration record among them), and the
gateway's kept Idempotency-Key rows in the old columns (a kept response; a request applied
whose response was lost). Then the upgrade, and what must hold: the four files apply, the
audit trail's read model is gone (not adopted) and the trail reads the log, the read models
are adopted at version 1 and the changed ones
rebuilt online, each equal to a rebuild from scratch, old keys replay or answer
ALREADY_APPLIED, the old grant is ``queue.*`` and follows the queue's types, the old
policies read, the lower-case badge is found.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import StoredEvent
from psycopg import sql
from psycopg.types.json import Jsonb

from deploy.bootstrap import Platform, all_projections, migrate_platform
from deploy.embedded_pg import ensure_database
from gateway.idempotency.store import ALREADY_APPLIED, claim
from projections.runtime import Rebuild
from services.audit.trail import AuditTrailFilter, audit_trail
from services.halls import HallRegistry
from services.halls.domain import Hall
from services.halls.policies import HallPolicies
from services.partners import PLATFORM_LOG, Grant, PartnerGrants, PartnerRegistry
from services.partners.history import list_grants
from services.partners.scope import covered_types
from services.shared.application import HallApplication
from services.staff import StaffMember, StaffService, find_staff
from tests.integration.projections.support import drive, make_halls, open_platform

store_migrate = importlib.import_module("services.store.migrate")  # the package exports migrate()

NEW_FILES = [
    "store/0011_idempotency_attempts.sql",
    "store/0012_audit_trail_from_the_log.sql",
    "projections.gateway_state/0002_idempotency_attempts_and_erasure.sql",
    "projections.runtime/0003_projection_versions.sql",
]
"""This release's migrations: a database of the previous release has every other one."""

OLD_QUEUE_STAR = [  # `queue.*` as the previous release expanded it into GrantIssued v1
    f"queue.{name}"
    for name in [
        "QueueConfigured",
        "QueueDayStarted",
        "QueuePrefixClaimed",
        "QueuePrefixReclaimed",
        "QueuePrefixReleased",
        "QueueReconfigured",
        "QueueReset",
        "ServiceEnded",
        "ServiceStarted",
        "TicketCalled",
        "TicketIssued",
        "TicketMarkedNoShow",
        "TicketRecalled",
        "TicketRemoved",
        "TicketTransferred",
        "WindowCallRecorded",
        "WindowCloseRecorded",
        "WindowDayStarted",
        "WindowReconfigurationRecorded",
        "WindowReservationRecorded",
        "WindowSuspensionRecorded",
    ]
]
HALL = "up-a"
REQUEST_HASH = "old-request-hash"


@pytest.fixture
def old_database(admin_database_url: str, worker_id: str) -> Iterator[str]:
    """A database migrated as the previous release migrated it, but for ``runtime/0003``,
    which the worker of this code needs to build the read models as the old one did (it is
    taken out again before the upgrade: :func:`_old_worker_and_keys`)."""
    name = f"yanshen_test_upgrade_{worker_id}"
    with psycopg.connect(admin_database_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
    url = ensure_database(admin_database_url, name)
    everything = store_migrate.collect_migrations
    mp = pytest.MonkeyPatch()
    mp.setattr(
        store_migrate,
        "collect_migrations",
        lambda: [m for m in everything() if m.label not in NEW_FILES[:-1]],
    )
    try:
        applied = store_migrate.migrate(url)
    finally:
        mp.undo()
    assert not set(NEW_FILES[:-1]) & set(applied)
    yield url
    with psycopg.connect(admin_database_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def _record_as_old(
    app: HallApplication, aggregate: Aggregate, edit: Callable[[dict[str, Any]], None]
) -> None:
    """Record the aggregate's pending event with its stored state as ``edit`` makes it: the
    form the previous release wrote."""
    (event,) = aggregate.collect_events()
    stored = app.mapper.to_stored_event(event)
    state = json.loads(stored.state)
    edit(state)
    app.recorder.insert_events(
        [
            StoredEvent(
                stored.originator_id,
                stored.originator_version,
                stored.topic,
                json.dumps(state).encode(),
            )
        ]
    )


def _grant_v1(state: dict[str, Any]) -> None:
    del state["class_version"], state["patterns"]
    state["event_types"] = OLD_QUEUE_STAR


def _policies_v1(state: dict[str, Any]) -> None:
    del state["class_version"]
    del state["policies"]["invite_served_visits"]


def _old_history(platform: Platform) -> None:
    """Halls at work, and the old-format records of the previous release in one of them."""
    halls = make_halls(platform, [HALL, "up-b"])
    drive(halls, 40)
    registry = platform.hall_app(PartnerRegistry, PLATFORM_LOG)
    registry.register_partner("tax", "税务局", "", "op")
    grants = platform.hall_app(PartnerGrants, HALL)
    grant = Grant(
        hall_id=HALL,
        partner_id="tax",
        event_types=OLD_QUEUE_STAR,
        patterns=["queue.*"],
        personal_data=False,
        start="BEGINNING",
        actor="admin-1",
    )
    _record_as_old(grants, grant, _grant_v1)
    halls_app = platform.hall_app(HallRegistry, HALL)
    hall = halls_app.repository.get(Hall.create_id(HALL))
    assert isinstance(hall, Hall)
    hall.change_policies(
        HallPolicies(unrated_default_days=10, rectification_working_days=7),
        "admin-1",
        now=halls_app.clock(),
    )
    _record_as_old(halls_app, hall, _policies_v1)
    staff = platform.hall_app(StaffService, HALL)
    staff.save(  # the old release recorded the badge as given
        StaffMember(
            hall_id=HALL,
            badge_number="s777",
            name="赵敏",
            role="WINDOW_STAFF",
            skills=[],
            actor="admin-1",
            timestamp=staff.clock(),
        )
    )


def _old_worker_and_keys(platform: Platform) -> None:
    """The read models as a worker of the previous release built them (no versions table),
    and the gateway's kept keys in the previous release's columns."""
    worker = platform.projection_worker()
    worker.run_once()
    worker.close()
    url = platform.database_url
    with psycopg.connect(url, autocommit=True) as conn, conn.transaction():
        conn.execute("DROP TABLE projection_versions")  # runtime/0003 was not there
        conn.execute(
            "DELETE FROM schema_migrations WHERE source = 'projections.runtime' AND version = 3"
        )
        _old_audit_trail(conn)
        kept = {"data": {"publishServiceItem": {"code": "QY-009", "revision": 1}}}
        conn.execute(
            "INSERT INTO idempotency_keys (tenant_id, principal, key, request_hash, response,"
            " completed_at) VALUES (%s, 'admin-1', 'k-kept', %s, %s, now()),"
            " (%s, 'admin-1', 'k-lost', %s, NULL, NULL)",
            (HALL, REQUEST_HASH, Jsonb(kept), HALL, REQUEST_HASH),
        )
        conn.execute(
            "UPDATE idempotency_keys SET created_at = now() - interval '5 minutes'"
            " WHERE key = 'k-lost'"
        )
        conn.execute(
            "INSERT INTO idempotency_applied (tenant_id, principal, key, log_id, position)"
            " VALUES (%s, 'admin-1', 'k-kept', %s, 2), (%s, 'admin-1', 'k-lost', %s, 3)",
            (HALL, HALL, HALL, HALL),
        )


def _old_audit_trail(conn: psycopg.Connection[Any]) -> None:
    """The read model "audit_trail" as the old worker left it: its two tables (rows
    included), its migration's record and its positions at each hall's head."""
    conn.execute(
        "CREATE TABLE audit_trail (tenant_id text, position bigint, actor text,"
        " PRIMARY KEY (tenant_id, position));"
        " CREATE TABLE audit_trail_records (tenant_id text, aggregate_id text, reference text);"
        " INSERT INTO audit_trail SELECT tenant_id, position, 'old' FROM events;"
        " INSERT INTO schema_migrations (source, version, name, checksum)"
        " VALUES ('projections.audit_trail', 1, 'audit_trail', 'old');"
        " ALTER TABLE consumer_positions NO FORCE ROW LEVEL SECURITY;"
        " INSERT INTO consumer_positions (consumer, tenant_id, position)"
        " SELECT 'projection:audit_trail', tenant_id, position FROM tenant_heads;"
        " ALTER TABLE consumer_positions FORCE ROW LEVEL SECURITY"
    )


def _audit_trail_leftovers(url: str) -> list[Any]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT relname, relkind::text FROM pg_class WHERE relname LIKE 'audit\\_trail%%'"
            " AND relkind <> 'v' UNION ALL SELECT consumer, tenant_id FROM consumer_positions"
            " WHERE consumer LIKE '%%audit\\_trail%%' UNION ALL SELECT source, name"
            " FROM schema_migrations WHERE source LIKE '%%audit\\_trail'"
        ).fetchall()


def _versions(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT projection, version FROM projection_versions").fetchall()
    return {str(name): int(version) for name, version in rows}


def test_a_database_of_the_previous_release_upgrades_in_place(old_database: str) -> None:
    url = old_database
    old = open_platform(url)
    try:
        _old_history(old)
        _old_worker_and_keys(old)
    finally:
        old.close()

    assert _audit_trail_leftovers(url) != []
    assert migrate_platform(url) == NEW_FILES
    assert _audit_trail_leftovers(url) == []
    projections = [p for p in all_projections() if p.tables]
    assert _versions(url) == {p.name: 1 for p in projections}  # built before versions
    stale = sorted(p.name for p in projections if p.version > 1)
    assert stale == sorted(
        ["case_register", "complaint_register", "deadlines", "queue_board", "worklist"]
    )

    platform = open_platform(url)
    try:
        worker = platform.projection_worker()
        worker.run_once()
        assert worker.upgrades.join(120)
        worker.run_once()
        worker.close()
        assert sorted(r.projection for r in worker.upgrades.reports) == stale
        assert _versions(url) == {p.name: p.version for p in projections}
        report = Rebuild(url, platform.worker_pool, projections).check()
        assert report.identical, [d.samples for d in report.differences]

        # The kept response is replayed; the applied request whose response was lost
        # answers ALREADY_APPLIED; neither runs again.
        pool = platform.app_pool
        kept = claim(pool, HALL, "admin-1", "k-kept", REQUEST_HASH, 86400)
        assert kept.response == {"data": {"publishServiceItem": {"code": "QY-009", "revision": 1}}}
        lost = claim(pool, HALL, "admin-1", "k-lost", REQUEST_HASH, 86400)
        assert not lost.owned
        assert lost.response is not None
        assert [e["code"] for e in lost.response["errors"]] == [ALREADY_APPLIED]

        # The v1 grant of `queue.*` is the pattern, covering the queue's types of today.
        (record,) = list_grants(platform.worker_pool, ["tax"], [HALL])
        assert record.patterns == ("queue.*",)
        assert set(record.event_types) == set(covered_types(["queue.*"]))

        # The v1 policies read with their values and the new switch at its default.
        policies = platform.hall_app(HallRegistry, HALL).get_hall().policies
        assert (policies.unrated_default_days, policies.rectification_working_days) == (10, 7)
        assert policies.invite_served_visits is True

        # The audit trail reads the log: the old policies' change, under its admin.
        (change,) = audit_trail(
            pool,
            HALL,
            AuditTrailFilter(event_type="halls.HallPoliciesChanged"),
            before=None,
            limit=5,
        )
        assert (change.actor, change.event_version) == ("admin-1", 1)

        # The member onboarded as s777 is found by the canonical badge.
        member = find_staff(platform.hall_app(StaffService, HALL), "S777")
        assert member is not None
        assert member.badge_number == "s777"
    finally:
        platform.close()
