"""Gapless per-hall positions under concurrent writers; clean optimistic-concurrency conflicts."""

from __future__ import annotations

import threading
import uuid

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError, RecordConflictError

from services.store import CHANNEL, EventStore, UnknownTenantError, verify_chain
from services.store.notifier import notifier_for
from services.store.pool import Pool
from tests.integration.store.domain import Ticket, Tickets


def test_positions_are_gapless_under_concurrent_writers(
    event_store: EventStore, app_pool: Pool, tenant_id: str
) -> None:
    app = event_store.application(Tickets, tenant_id)
    errors: list[BaseException] = []

    def write(worker: int) -> None:
        try:
            for n in range(25):
                app.issue(f"W{worker}-{n}")
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    notifications = app.recorder.select_notifications(start=None, limit=1000)
    assert [n.id for n in notifications] == list(range(1, 201))
    assert app.recorder.max_notification_id() == 200
    assert verify_chain(app_pool, tenant_id).ok


def test_conflicting_concurrent_save_fails_cleanly_and_loses_nothing(
    event_store: EventStore, app_pool: Pool, tenant_id: str
) -> None:
    app = event_store.application(Tickets, tenant_id)
    ticket_id = app.issue("A001")
    copies: list[Ticket] = [app.repository.get(ticket_id) for _ in range(2)]
    bystanders = [Ticket("A002"), Ticket("A003")]
    barrier = threading.Barrier(2)
    outcomes: list[BaseException | None] = [None, None]

    def save(i: int) -> None:
        copies[i].call(f"window-{i}")
        barrier.wait()
        try:
            app.save(copies[i], bystanders[i])
        except BaseException as e:
            outcomes[i] = e

    threads = [threading.Thread(target=save, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    failed = [i for i, e in enumerate(outcomes) if e is not None]
    assert len(failed) == 1
    error = outcomes[failed[0]]
    assert isinstance(error, IntegrityError)
    assert isinstance(error, RecordConflictError)
    winner = 1 - failed[0]
    stored: Ticket = app.repository.get(ticket_id)
    assert stored.version == 2
    assert stored.window == f"window-{winner}"
    # The loser's other aggregate was not recorded either: the save was atomic.
    assert bystanders[winner].id in app.repository
    assert bystanders[failed[0]].id not in app.repository
    assert [n.id for n in app.recorder.select_notifications(None, 10)] == [1, 2, 3]
    assert verify_chain(app_pool, tenant_id).ok
    # The hall keeps working after the conflict.
    app.issue("A004")
    assert app.recorder.max_notification_id() == 4


def test_commit_notifies_tenant_and_position(
    event_store: EventStore, database_url: str, tenant_id: str
) -> None:
    def own(listener: psycopg.Connection) -> str:
        """The next notification of this hall (other tests' halls notify on the channel too)."""
        for n in listener.notifies(timeout=2.0):
            if n.payload.startswith(f"{tenant_id}:"):
                return n.payload
        return "none within 2 s"

    with psycopg.connect(database_url, autocommit=True) as listener:
        listener.execute(f"LISTEN {CHANNEL}")
        app = event_store.application(Tickets, tenant_id)
        app.issue("A001")
        assert own(listener) == f"{tenant_id}:1"
        app.issue("A002")
        assert own(listener) == f"{tenant_id}:2"


def test_notifications_are_coalesced_to_each_halls_newest_position(
    event_store: EventStore, app_pool: Pool, database_url: str
) -> None:
    """Many writers of several halls: every hall's last notification names its head."""
    halls = [f"hall-{uuid.uuid4().hex[:12]}" for _ in range(4)]
    apps = [event_store.application(Tickets, hall) for hall in halls]
    with psycopg.connect(database_url, autocommit=True) as listener:
        listener.execute(f"LISTEN {CHANNEL}")

        def write(app: Tickets) -> None:
            for n in range(30):
                app.issue(f"A{n:03d}")

        threads = [threading.Thread(target=write, args=(a,)) for a in apps for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert notifier_for(app_pool).flush()
        newest: dict[str, list[int]] = {}
        for n in listener.notifies(timeout=1.0):
            hall, position = n.payload.rsplit(":", 1)
            newest.setdefault(hall, []).append(int(position))
    for hall in halls:
        positions = newest[hall]
        assert positions == sorted(positions)  # never an older position after a newer one
        assert positions[-1] == 60


def test_subscription_sees_only_its_hall(event_store: EventStore, tenant_id: str) -> None:
    other = f"hall-{uuid.uuid4().hex[:12]}"
    app = event_store.application(Tickets, tenant_id)
    with app.recorder.subscribe(gt=None) as subscription:
        event_store.application(Tickets, other).issue("B001")
        ticket_id = app.issue("A001")
        first = next(subscription)
    assert (first.id, first.originator_id) == (1, ticket_id)


@pytest.mark.parametrize("n_events", [1, 3, 250])
def test_positions_follow_on_across_batches(
    event_store: EventStore, tenant_id: str, n_events: int
) -> None:
    app = event_store.application(Tickets, tenant_id)
    app.issue("A000")
    tickets = [Ticket(f"A{n:03d}") for n in range(n_events)]
    recordings = app.save(*tickets)
    assert [r.notification.id for r in recordings] == list(range(2, n_events + 2))


def test_an_append_to_an_existing_log_only_refuses_a_hall_without_one(
    event_store: EventStore, database_url: str, tenant_id: str
) -> None:
    app = event_store.application(Tickets, tenant_id)
    with pytest.raises(UnknownTenantError, match=f"unknown hall '{tenant_id}'"):
        app.save(Ticket("A001"), existing_log=True)
    with psycopg.connect(database_url) as conn:
        for table in ("tenant_heads", "events"):
            found = conn.execute(f"SELECT count(*) FROM {table} WHERE tenant_id = %s", (tenant_id,))
            assert found.fetchone() == (0,), table
    app.issue("A001")  # the hall's first event, appended as usual, creates its log
    (recording,) = app.save(Ticket("A002"), existing_log=True)
    assert recording.notification.id == 2
    assert verify_chain(event_store.pool, tenant_id).ok
