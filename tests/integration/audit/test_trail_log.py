"""The audit trail is the hall's log, searched (store migration 0012).

- an action is in the trail the moment its command returns (no worker has run);
- the actor, reference and time searches are index scans of the log, as the gateway's role
  runs them (a plan test, not a timing);
- an append never fails on the indexes' expressions: a ``\\u0000`` escape in a field no
  expression reads, a state that is not JSON;
- a ticket's number keeps all its digits (A1000, as the queue shows it).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import psycopg
import pytest

from gateway.auth import Role
from services.audit.trail import AuditTrailFilter, audit_trail, search_statement
from services.staff import StaffService
from services.store.pool import Pool
from tests.integration.read_models.conftest import data, edges

TRAIL = """query($search: AuditTrailSearch) {
  auditTrail(search: $search) { edges { node { position actor eventType reference } } } }"""
SIGNED_IN = "services.staff.domain:StaffMember.SignedIn"
TICKET_CALLED = "services.queue.domain.day:QueueDay.TicketCalled"


def _as_app(pool: Pool, tenant_id: str, statement: str, params: Any = None) -> list[Any]:
    with pool.connection() as conn, conn.transaction():
        conn.execute("SELECT set_config('yanshen.tenant_id', %s, true)", (tenant_id,))
        return conn.execute(statement, params, prepare=False).fetchall()


@pytest.fixture(scope="module")
def busy_hall(database_url: str) -> str:
    """A hall of 20,000 events: 2,000 queue days (ZH0 … ZH1999) of ten ticket calls each, by
    50 staff, over 20,000 minutes; statistics taken (the plans are those of a hall at work)."""
    hall = f"busy-{uuid4().hex[:8]}"
    state = (
        "convert_to(json_build_object('actor', 'S' || g %% 50, 'queue_code', 'ZH' || g / 10,"
        " 'service_day', '2026-03-02', 'prefix', 'A', 'number', g %% 10 + 1, 'timestamp',"
        " json_build_object('_type_', 'datetime_iso', '_data_',"
        " to_char(timestamptz '2026-03-02 00:00Z' + g * interval '1 minute',"
        " 'YYYY-MM-DD\"T\"HH24:MI:SSOF')))::text, 'UTF8')"
    )
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(
            "SELECT yanshen_append(%s, array_agg(md5('d' || g / 10)::uuid::text ORDER BY g),"
            " array_agg(g %% 10 + 1::int8 ORDER BY g), array_agg(%s::text ORDER BY g),"
            f" array_agg({state} ORDER BY g)) FROM generate_series(0, 19999) g",
            (hall, TICKET_CALLED),
        )
        conn.execute("ANALYZE events")
    return hall


def _state(**fields: Any) -> bytes:
    stamp = {"_type_": "datetime_iso", "_data_": "2026-03-02T09:15:00+08:00"}
    return json.dumps({"timestamp": stamp, **fields}).encode()


def test_an_action_is_in_the_trail_as_soon_as_its_command_returns(
    gql, token, platform, hall, app_pool
):
    platform.hall_app(StaffService, hall).onboard_staff(
        "S009", "新人", "AGENT", ["帮办代办"], "admin-7"
    )
    found = edges(
        data(
            gql(TRAIL, {"search": {"actor": "admin-7"}}, token=token(Role.AUDITOR, hall)),
            "auditTrail",
        )
    )
    assert [(e["eventType"], e["reference"]) for e in found] == [("staff.StaffOnboarded", "S009")]
    with app_pool.connection() as conn, conn.transaction():
        conn.execute("SELECT set_config('yanshen.tenant_id', %s, true)", (hall,))
        seen = conn.execute(
            "SELECT max(position) FROM consumer_positions WHERE consumer LIKE 'projection:%%'"
        ).fetchone()
    assert seen is not None
    assert seen[0] is None or seen[0] < found[0]["position"]  # no read model has it yet


@pytest.mark.parametrize(
    ("criteria", "index", "condition"),
    [
        (AuditTrailFilter(actor="S7"), "events_actor", "yanshen_event_actor(state) ="),
        (
            AuditTrailFilter(reference="ZH42 2026-03-02"),
            "events_record_reference",
            "yanshen_record_reference(state) ~>=~",
        ),
        (
            AuditTrailFilter(reference="ZH42 2026-03-02 A003"),
            "events_record_reference",
            "yanshen_record_reference(state) = ANY",
        ),
        (
            AuditTrailFilter(
                occurred_from=datetime(2026, 3, 5, tzinfo=UTC),
                occurred_before=datetime(2026, 3, 5, 1, tzinfo=UTC),
            ),
            "events_time",
            "yanshen_event_time(state) >=",
        ),
    ],
)
def test_the_searches_are_index_scans_of_the_log(app_pool, busy_hall, criteria, index, condition):
    """As the gateway's role runs them: the search's condition is the index's condition,
    not a filter over the hall's whole log."""
    statement, params = search_statement(criteria, None)
    explained = _as_app(app_pool, busy_hall, "EXPLAIN " + statement, params | {"limit": 50})
    plan = "\n".join(row[0] for row in explained)
    assert re.search(rf"using {index} on events|Bitmap Index Scan on {index}\b", plan), plan
    assert any("Index Cond" in line and condition in line for line in plan.splitlines()), plan


def test_appends_never_fail_on_the_trail_indexes(app_pool, tenant_id):
    """A ``\\u0000`` escape in a field no index reads (jsonb would refuse the state: the
    recorder refuses it first, a raw append does not), on a record's first event (the
    reference index reads those), and a state that is not JSON at all."""
    nul = _state(actor="S001", badge_number="S001", note="a\u0000b")
    assert b"\\u0000" in nul
    raw = b"\x00\x01 not json"
    with app_pool.connection() as conn:
        for state, topic in ((nul, SIGNED_IN), (raw, "bench:Raw.Appended")):
            conn.execute(
                "SELECT yanshen_append(%s, ARRAY[%s::text], ARRAY[1::int8], ARRAY[%s::text],"
                " ARRAY[%s::bytea])",
                (tenant_id, str(uuid4()), topic, state),
            )
    (entry,) = audit_trail(
        app_pool, tenant_id, AuditTrailFilter(actor="S001"), before=None, limit=5
    )
    assert (entry.event_type, entry.reference, entry.position) == ("staff.StaffSignedIn", "S001", 1)
    assert audit_trail(app_pool, tenant_id, AuditTrailFilter(), before=None, limit=5) == [entry]


@pytest.mark.parametrize(
    ("number", "display_number", "shown"),
    [
        (7, None, "ZH 2026-03-02 A007"),
        (1000, None, "ZH 2026-03-02 A1000"),
        (3, "B003", "ZH 2026-03-02 B003"),
    ],
)
def test_a_ticket_is_shown_as_the_queue_shows_it(app_pool, number, display_number, shown):
    first = _state(queue_code="ZH", service_day="2026-03-02", prefix="A")
    ticket = _state(number=number, **({"display_number": display_number} if display_number else {}))
    ((reference,),) = _as_app(
        app_pool, "h", "SELECT yanshen_event_reference(%s, %s)", (first, ticket)
    )
    assert reference == shown


@pytest.mark.parametrize("view", ["audit_trail", "audit_trail_records"])
def test_the_views_show_the_app_only_the_hall_of_its_transaction(app_pool, busy_hall, view):
    """The views read the log as their owner (row-level security does not apply to them), so
    they confine themselves to the transaction's hall: another hall set, none of these rows;
    no hall set, no rows at all; and the app may not write through them."""
    count = f"SELECT count(*) FROM {view}"
    ((own,),) = _as_app(app_pool, busy_hall, count)
    ((other,),) = _as_app(app_pool, f"other-{uuid4().hex[:8]}", count)
    with app_pool.connection() as conn:
        ((unset,),) = conn.execute(count).fetchall()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(f"DELETE FROM {view}")
    assert own > 0
    assert (other, unset) == (0, 0)


@pytest.mark.parametrize(
    ("stored", "instant"),
    [
        ("2026-03-02T09:15:00+08:00", datetime(2026, 3, 2, 1, 15, tzinfo=UTC)),
        ("2026-03-02T09:15:00.250000-05:00", datetime(2026, 3, 2, 14, 15, 0, 250000, tzinfo=UTC)),
        ("2026-03-02T09:15:00Z", datetime(2026, 3, 2, 9, 15, tzinfo=UTC)),
        ("2026-03-02T09:15:00+05:30:15", datetime(2026, 3, 2, 3, 44, 45, tzinfo=UTC)),
        ("2026-03-02T09:15:00", datetime(2026, 3, 2, 9, 15, tzinfo=UTC)),
    ],
)
def test_an_events_time_is_the_instant_it_names_in_any_session_zone(app_pool, stored, instant):
    """What the time index holds must not depend on the session (the function is declared
    IMMUTABLE): an offset is honoured, a time without one is UTC, not the session's zone."""
    state = json.dumps({"timestamp": {"_type_": "datetime_iso", "_data_": stored}}).encode()
    with app_pool.connection() as conn:
        conn.execute("SET TimeZone = 'America/New_York'")
        ((read,),) = conn.execute("SELECT yanshen_event_time(%s)", (state,)).fetchall()
        conn.execute("RESET TimeZone")
    assert read == instant
