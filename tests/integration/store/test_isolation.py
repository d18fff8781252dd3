"""Halls never see each other's events: through the application and through raw SQL."""

from __future__ import annotations

import threading
import uuid

import psycopg
import pytest
from eventsourcing.persistence import StoredEvent

from services.store import EventStore, TenantIdError
from services.store.pool import Pool
from tests.integration.store.domain import Ticket, Tickets


def _other_hall() -> str:
    return f"hall-{uuid.uuid4().hex[:12]}"


def test_two_halls_writing_concurrently_never_see_each_others_events(
    event_store: EventStore, tenant_id: str
) -> None:
    halls = [tenant_id, _other_hall()]
    issued: dict[str, list[uuid.UUID]] = {h: [] for h in halls}

    def write(hall: str) -> None:
        app = event_store.application(Tickets, hall)
        for n in range(20):
            issued[hall].append(app.issue(f"A{n:03d}"))

    threads = [threading.Thread(target=write, args=(h,)) for h in halls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    for hall in halls:
        app = event_store.application(Tickets, hall)
        assert app.name == "Tickets"
        assert type(app) is Tickets
        items = app.recorder.select_notifications(start=1, limit=100)
        assert [n.id for n in items] == list(range(1, 21))
        assert {n.originator_id for n in items} == set(issued[hall])
        other = next(h for h in halls if h != hall)
        with pytest.raises(Exception, match=r"not found|NotFound"):
            app.repository.get(issued[other][0])
        assert isinstance(app.repository.get(issued[hall][0]), Ticket)


def test_application_is_cached_per_class_and_hall(event_store: EventStore, tenant_id: str) -> None:
    assert event_store.application(Tickets, tenant_id) is event_store.application(
        Tickets, tenant_id
    )
    assert event_store.application(Tickets, tenant_id) is not event_store.application(
        Tickets, _other_hall()
    )


def test_app_role_sees_only_the_hall_set_for_its_transaction(
    event_store: EventStore, app_pool: Pool, tenant_id: str
) -> None:
    other = _other_hall()
    event_store.application(Tickets, tenant_id).issue("A001")
    event_store.application(Tickets, other).issue("B001")
    event_store.application(Tickets, other).issue("B002")

    with app_pool.connection() as conn:
        assert conn.execute("SELECT current_user").fetchone() == ("yanshen_app",)
        with conn.transaction():
            conn.execute("SELECT set_config('yanshen.tenant_id', %s, true)", (tenant_id,))
            tenants = conn.execute("SELECT DISTINCT tenant_id FROM events").fetchall()
            heads = conn.execute("SELECT tenant_id FROM tenant_heads").fetchall()
        assert tenants == [(tenant_id,)]
        assert heads == [(tenant_id,)]
        # No tenant set: nothing at all, in every tenant table.
        for table in ("events", "tenant_heads", "snapshots", "tracking", "consumer_positions"):
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,)


def _run_in_hall(pool: Pool, tenant_id: str, statement: str, *params: object) -> None:
    with pool.connection() as conn, conn.transaction():
        conn.execute("SELECT set_config('yanshen.tenant_id', %s, true)", (tenant_id,))
        conn.execute(statement, params)


def test_app_role_cannot_insert_into_another_hall(app_pool: Pool, tenant_id: str) -> None:
    """Row-level security on the tables it may write (events and heads: only through
    ``yanshen_append``, see test_chain_format.py)."""
    other = _other_hall()
    insert_snapshot = (
        "INSERT INTO snapshots (tenant_id, originator_id, originator_version, topic, state) "
        "VALUES (%s, 'x', 1, 't', '')"
    )
    insert_tracking = (
        "INSERT INTO tracking (tenant_id, application_name, notification_id) VALUES (%s, 'a', 1)"
    )
    for statement in (insert_snapshot, insert_tracking):
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            _run_in_hall(app_pool, tenant_id, statement, other)


def test_app_role_cannot_change_or_remove_events(
    event_store: EventStore, app_pool: Pool, tenant_id: str
) -> None:
    event_store.application(Tickets, tenant_id).issue("A001")
    for statement in ("UPDATE events SET state = ''", "DELETE FROM events"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            _run_in_hall(app_pool, tenant_id, statement)


def test_sql_naming_a_hall_other_than_the_transactions_reads_nothing(
    event_store: EventStore, tenant_id: str
) -> None:
    recorder = event_store.recorder(tenant_id)
    recorder.insert_events([StoredEvent(uuid.uuid4(), 1, "t", b"{}")])
    assert len(recorder.select_notifications(None, 10)) == 1
    recorder.session.tenant_id = _other_hall()  # a bug: the transaction is set to another hall
    try:
        assert recorder.select_notifications(None, 10) == []
        assert recorder.max_notification_id() is None
    finally:
        recorder.session.tenant_id = tenant_id


@pytest.mark.parametrize("bad", ["", "Hall-A", "hall_a", "-hall", "h" * 64, "大厅"])
def test_bad_tenant_ids_are_refused(event_store: EventStore, bad: str) -> None:
    with pytest.raises(TenantIdError):
        event_store.recorder(bad)
    with pytest.raises(TenantIdError):
        event_store.application(Tickets, bad)


def test_the_store_keeps_only_the_most_recently_used_halls_cached(app_pool):
    from services.store import EventStore
    from tests.integration.store.domain import Tickets

    store = EventStore(app_pool, max_cached=2)
    first = store.application(Tickets, "lru-a")
    store.application(Tickets, "lru-b")
    assert store.application(Tickets, "lru-a") is first  # used again: now the most recent
    store.application(Tickets, "lru-c")  # evicts lru-b, the least recently used
    assert store.application(Tickets, "lru-a") is first
    assert len(store._apps) == 2
    assert store.recorder("lru-a") is store.recorder("lru-a")
