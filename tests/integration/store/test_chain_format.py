"""Chain format 2: recorded_at is hashed, set by the server, and only the append function
writes events; rows of format 1 (appended before migration 0009) still verify."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from eventsourcing.persistence import StoredEvent

from services.store import EventStore, verify_chain
from services.store.chain import GENESIS_HASH, chain_bytes, event_bytes, recorded_at_text
from services.store.pool import Pool
from tests.integration.store.domain import Tickets

_APPEND_ONE = (
    "SELECT yanshen_append(%s, ARRAY[%s::text], ARRAY[1::int8], ARRAY['t'], ARRAY['{}'::bytea])"
)


@pytest.fixture
def hall_with_six_events(event_store: EventStore, tenant_id: str) -> str:
    app = event_store.application(Tickets, tenant_id)
    for n in range(3):
        app.call(app.issue(f"A{n:03d}"), window=f"W{n}")
    return tenant_id


def _as_admin(database_url: str, statement: str, *params: object) -> list[tuple[Any, ...]]:
    with psycopg.connect(database_url, autocommit=True) as conn:
        cursor = conn.execute(statement, params)
        return cursor.fetchall() if cursor.description else []


def _in_hall(pool: Pool, tenant_id: str, statement: str, *params: object) -> None:
    with pool.connection() as conn, conn.transaction():
        conn.execute("SELECT set_config('yanshen.tenant_id', %s, true)", (tenant_id,))
        conn.execute(statement, params)


def test_a_backdated_recorded_at_breaks_the_chain(
    app_pool: Pool, database_url: str, hall_with_six_events: str
) -> None:
    _as_admin(
        database_url,
        "UPDATE events SET recorded_at = recorded_at - interval '365 days'"
        " WHERE tenant_id = %s AND position = 4",
        hall_with_six_events,
    )
    result = verify_chain(app_pool, hall_with_six_events)
    assert (result.ok, result.first_bad_position) == (False, 4)
    assert "recorded_at" in result.reason


def test_appends_hash_the_servers_recorded_at_in_canonical_utc_text(
    app_pool: Pool, database_url: str, hall_with_six_events: str
) -> None:
    before = datetime.now(UTC) - timedelta(seconds=5)  # the test's and the server's clocks
    rows = _as_admin(
        database_url,
        "SELECT position, originator_id, originator_version, topic, state, recorded_at,"
        " chain_format, prev_hash, hash, yanshen_recorded_at_text(recorded_at)"
        " FROM events WHERE tenant_id = %s ORDER BY position",
        hall_with_six_events,
    )
    prev, times = GENESIS_HASH, []
    for position, originator, version, topic, state, at, fmt, prev_hash, stored, text in rows:
        assert fmt == 2
        assert text == recorded_at_text(at)
        assert (text[-1], len(text)) == ("Z", 27)
        canonical = chain_bytes(
            2, hall_with_six_events, position, originator, version, topic, bytes(state), at
        )
        assert (
            canonical
            == event_bytes(hall_with_six_events, position, originator, version, topic, bytes(state))
            + len(text).to_bytes(4, "big")
            + text.encode()
        )
        assert bytes(prev_hash) == prev
        prev = hashlib.sha256(prev + canonical).digest()
        assert bytes(stored) == prev
        times.append(at)
    assert times == sorted(times)  # recorded in position order
    assert before <= times[0] <= times[-1] <= datetime.now(UTC) + timedelta(seconds=5)
    assert verify_chain(app_pool, hall_with_six_events).unbound_recorded_at == 0


@pytest.mark.parametrize("zone", ["UTC", "Asia/Shanghai", "America/St_Johns"])
def test_sql_and_python_canonical_bytes_agree_in_any_session_time_zone(
    database_url: str, zone: str
) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(f"SET TimeZone = '{zone}'")
        for literal in (
            "2026-05-06 10:00:00+08",
            "2026-12-31 23:59:59.999999+00",
            "2026-03-29 01:30:00.000001+01",
            "0999-01-01 00:00:00+00",
        ):
            row = conn.execute(
                "SELECT %s::timestamptz, yanshen_chain_bytes(2, 'h', 7, 'o', 3, 'topic',"
                " '\\x7b7d'::bytea, %s::timestamptz), yanshen_chain_bytes(1, 'h', 7, 'o', 3,"
                " 'topic', '\\x7b7d'::bytea, %s::timestamptz)",
                (literal, literal, literal),
            ).fetchone()
            assert row is not None
            at, format_2, format_1 = row
            assert bytes(format_2) == chain_bytes(2, "h", 7, "o", 3, "topic", b"{}", at)
            assert bytes(format_1) == event_bytes("h", 7, "o", 3, "topic", b"{}")


@pytest.mark.parametrize("pool_name", ["app_pool", "worker_pool"])
def test_the_application_roles_cannot_write_events_or_move_the_head(
    request: pytest.FixtureRequest, hall_with_six_events: str, pool_name: str
) -> None:
    pool: Pool = request.getfixturevalue(pool_name)
    hall = hall_with_six_events
    forged = (
        "INSERT INTO events (tenant_id, position, originator_id, originator_version, topic,"
        " state, recorded_at, prev_hash, hash) VALUES (%s, 7, 'x', 1, 't', '', now()"
        " - interval '365 days', '', '')"
    )
    for statement, params in (
        (forged, (hall,)),
        ("UPDATE tenant_heads SET position = 7 WHERE tenant_id = %s", (hall,)),
        ("INSERT INTO tenant_heads (tenant_id) VALUES (%s)", (f"{hall}-x",)),
    ):
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"):
            _in_hall(pool, hall, statement, *params)


def test_the_app_role_still_appends_through_the_store_and_the_function(
    event_store: EventStore, app_pool: Pool, tenant_id: str
) -> None:
    recorder = event_store.recorder(tenant_id)
    assert recorder.insert_events([StoredEvent(uuid.uuid4(), 1, "t", b"{}")]) == [1]
    with app_pool.connection() as conn:
        assert conn.execute("SELECT current_user").fetchone() == ("yanshen_app",)
        assert conn.execute(_APPEND_ONE, (tenant_id, str(uuid.uuid4()))).fetchall() == [(2,)]
    assert len(recorder.select_notifications(None, 10)) == 2
    assert verify_chain(app_pool, tenant_id).ok


def test_the_append_function_refuses_a_hall_other_than_the_transactions(
    event_store: EventStore, app_pool: Pool, tenant_id: str
) -> None:
    other = f"hall-{uuid.uuid4().hex[:12]}"
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="in a transaction of hall"):
        _in_hall(app_pool, tenant_id, _APPEND_ONE, other, str(uuid.uuid4()))
    assert event_store.recorder(other).max_notification_id() is None


def test_the_append_function_is_definer_only_for_the_roles_with_a_pinned_search_path(
    database_url: str,
) -> None:
    (row,) = _as_admin(
        database_url,
        "SELECT prosecdef, proconfig, has_function_privilege('public', oid, 'EXECUTE'),"
        " has_function_privilege('yanshen_app', oid, 'EXECUTE')"
        " FROM pg_proc WHERE proname = 'yanshen_append'",
    )
    definer, config, public, app = row
    assert (definer, public, app) == (True, False, True)
    assert config == ["search_path=public, pg_temp"]


def test_a_callers_temporary_table_does_not_shadow_the_events_table(
    app_pool: Pool, tenant_id: str
) -> None:
    with app_pool.connection() as conn:
        conn.execute("CREATE TEMP TABLE events (LIKE public.events)")
        conn.execute("CREATE TEMP TABLE tenant_heads (LIKE public.tenant_heads)")
        try:
            conn.execute(_APPEND_ONE, (tenant_id, str(uuid.uuid4())))
            assert conn.execute("SELECT count(*) FROM pg_temp.events").fetchone() == (0,)
        finally:
            conn.execute("DROP TABLE pg_temp.events, pg_temp.tenant_heads")
    assert verify_chain(app_pool, tenant_id).events_checked == 1


def _old_format_rows(database_url: str, hall: str, count: int) -> None:
    """Rows as appended before migration 0009: chain format 1, recorded_at unhashed."""
    with psycopg.connect(database_url, autocommit=True) as conn, conn.transaction():
        prev = GENESIS_HASH
        for position in range(1, count + 1):
            (prev,) = conn.execute(
                "INSERT INTO events (tenant_id, position, originator_id, originator_version,"
                " topic, state, prev_hash, hash, chain_format) VALUES (%(t)s, %(p)s, %(o)s, 1,"
                " 't', '{}', %(prev)s, sha256(%(prev)s || yanshen_event_bytes(%(t)s, %(p)s,"
                " %(o)s, 1, 't', '{}'))::bytea, 1) RETURNING hash",
                {"t": hall, "p": position, "o": str(uuid.uuid4()), "prev": prev},
            ).fetchone()
        conn.execute(
            "INSERT INTO tenant_heads (tenant_id, position, last_hash) VALUES (%s, %s, %s)",
            (hall, count, prev),
        )


def test_rows_of_chain_format_1_still_verify_before_appends_of_format_2(
    event_store: EventStore, app_pool: Pool, database_url: str, tenant_id: str
) -> None:
    _old_format_rows(database_url, tenant_id, 3)
    event_store.recorder(tenant_id).insert_events([StoredEvent(uuid.uuid4(), 1, "t", b"{}")])
    formats = _as_admin(
        database_url,
        "SELECT chain_format FROM events WHERE tenant_id = %s ORDER BY position",
        tenant_id,
    )
    assert formats == [(1,), (1,), (1,), (2,)]
    result = verify_chain(app_pool, tenant_id)
    assert result.ok, result
    assert (result.events_checked, result.unbound_recorded_at) == (4, 3)
    assert "3 events of chain format 1" in str(result)


def test_a_row_turned_back_to_format_1_with_a_recomputed_hash_is_found(
    app_pool: Pool, database_url: str, hall_with_six_events: str
) -> None:
    """Unbinding the last row's recorded_at (format 1, hash and head recomputed) is caught."""
    hall = hall_with_six_events
    with psycopg.connect(database_url, autocommit=True) as conn, conn.transaction():
        (new,) = conn.execute(
            "UPDATE events SET chain_format = 1, recorded_at = recorded_at - interval '1 year',"
            " hash = sha256(prev_hash || yanshen_event_bytes(tenant_id, position,"
            " originator_id, originator_version, topic, state))"
            " WHERE tenant_id = %s AND position = 6 RETURNING hash",
            (hall,),
        ).fetchone()
        conn.execute("UPDATE tenant_heads SET last_hash = %s WHERE tenant_id = %s", (new, hall))
    result = verify_chain(app_pool, hall)
    assert (result.ok, result.first_bad_position) == (False, 6)
    assert "chain format 1 after 2" in result.reason
