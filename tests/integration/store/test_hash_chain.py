"""``verify`` finds a tampered, removed or reordered row at the right position."""

from __future__ import annotations

import psycopg
import pytest

from services.store import EventStore, UnknownTenantError, verify_chain, verify_tenant
from services.store.pool import Pool
from tests.integration.store.domain import Tickets


@pytest.fixture
def hall_with_six_events(event_store: EventStore, tenant_id: str) -> str:
    app = event_store.application(Tickets, tenant_id)
    for n in range(3):
        app.call(app.issue(f"A{n:03d}"), window=f"W{n}")
    return tenant_id


def _as_admin(database_url: str, statement: str, *params: object) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(statement, params)


def test_untouched_chain_verifies(
    app_pool: Pool, database_url: str, hall_with_six_events: str
) -> None:
    result = verify_chain(app_pool, hall_with_six_events)
    assert result.ok, result
    assert (result.events_checked, result.first_bad_position, result.head_position) == (6, None, 6)
    assert verify_tenant(database_url, hall_with_six_events) == result
    assert str(result).startswith("OK")


def test_a_hall_without_a_log_is_unknown_not_intact(
    app_pool: Pool, database_url: str, tenant_id: str
) -> None:
    with pytest.raises(UnknownTenantError, match=f"unknown hall '{tenant_id}'"):
        verify_chain(app_pool, tenant_id)
    with pytest.raises(UnknownTenantError):
        verify_tenant(database_url, tenant_id)


def test_a_removed_head_row_is_a_broken_chain(
    app_pool: Pool, database_url: str, hall_with_six_events: str
) -> None:
    _as_admin(database_url, "DELETE FROM tenant_heads WHERE tenant_id = %s", hall_with_six_events)
    result = verify_chain(app_pool, hall_with_six_events)
    assert (result.ok, result.first_bad_position) == (False, 7)


def test_altered_state_is_found(
    app_pool: Pool, database_url: str, hall_with_six_events: str
) -> None:
    _as_admin(
        database_url,
        "UPDATE events SET state = convert_to('{\"number\":\"Z999\"}', 'UTF8') "
        "WHERE tenant_id = %s AND position = 3",
        hall_with_six_events,
    )
    result = verify_chain(app_pool, hall_with_six_events)
    assert (result.ok, result.first_bad_position) == (False, 3)
    assert "altered" in result.reason


def test_altered_topic_with_recomputed_hash_breaks_the_next_link(
    app_pool: Pool, database_url: str, hall_with_six_events: str
) -> None:
    _as_admin(
        database_url,
        "UPDATE events SET topic = 'forged', hash = sha256(prev_hash || yanshen_chain_bytes("
        "chain_format, tenant_id, position, originator_id, originator_version, 'forged', state,"
        " recorded_at)) "
        "WHERE tenant_id = %s AND position = 2",
        hall_with_six_events,
    )
    result = verify_chain(app_pool, hall_with_six_events)
    assert (result.ok, result.first_bad_position) == (False, 3)


def test_deleted_row_is_found(app_pool: Pool, database_url: str, hall_with_six_events: str) -> None:
    _as_admin(
        database_url,
        "DELETE FROM events WHERE tenant_id = %s AND position = 4",
        hall_with_six_events,
    )
    result = verify_chain(app_pool, hall_with_six_events)
    assert (result.ok, result.first_bad_position) == (False, 4)
    assert "missing" in result.reason


def test_deleted_last_row_is_found(
    app_pool: Pool, database_url: str, hall_with_six_events: str
) -> None:
    _as_admin(
        database_url,
        "DELETE FROM events WHERE tenant_id = %s AND position = 6",
        hall_with_six_events,
    )
    result = verify_chain(app_pool, hall_with_six_events)
    assert (result.ok, result.first_bad_position) == (False, 6)


def test_swapped_rows_are_found(
    app_pool: Pool, database_url: str, hall_with_six_events: str
) -> None:
    hall = hall_with_six_events
    with psycopg.connect(database_url) as conn:
        for old, new in ((3, 1000), (4, 3), (1000, 4)):
            conn.execute(
                "UPDATE events SET position = %s WHERE tenant_id = %s AND position = %s",
                (new, hall, old),
            )
    result = verify_chain(app_pool, hall)
    assert (result.ok, result.first_bad_position) == (False, 3)


def test_swapped_contents_are_found(
    app_pool: Pool, database_url: str, hall_with_six_events: str
) -> None:
    _as_admin(
        database_url,
        "UPDATE events e SET state = o.state, topic = o.topic FROM events o "
        "WHERE e.tenant_id = %s AND o.tenant_id = e.tenant_id "
        "AND ((e.position = 5 AND o.position = 2) OR (e.position = 2 AND o.position = 5))",
        hall_with_six_events,
    )
    result = verify_chain(app_pool, hall_with_six_events)
    assert (result.ok, result.first_bad_position) == (False, 2)


def test_verify_on_a_connection_as_worker(
    worker_pool: Pool, database_url: str, hall_with_six_events: str
) -> None:
    with worker_pool.connection() as conn:
        assert verify_chain(conn, hall_with_six_events).ok
