"""Several workers of one consumer share the halls: exactly once, fair shares, takeover."""

from __future__ import annotations

import threading
import time

import psycopg
import pytest

from services.store import EventStore, open_pool
from services.store.consumer import LogConsumer
from tests.fixtures.postgres import fresh_database
from tests.integration.store.domain import Tickets

HALLS = ["hall-a", "hall-b", "hall-c", "hall-d"]
EVENTS_PER_HALL = 40


class Recording(LogConsumer):
    """Records every (hall, position) it processes; a duplicate would violate the key."""

    consumer = "test:recording"

    def handle(self, conn, tenant_id, notifications):
        for n in notifications:
            conn.execute(
                "INSERT INTO consumed (tenant_id, position) VALUES (%s, %s)", (tenant_id, n.id)
            )


@pytest.fixture
def database(admin_database_url: str, worker_id: str) -> str:
    """A database of its own: fair shares depend on how many halls exist."""
    name = f"yanshen_test_leases_{worker_id}"
    url = fresh_database(admin_database_url, name)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE consumed (tenant_id text, position bigint,"
            " PRIMARY KEY (tenant_id, position))"
        )
        conn.execute("GRANT SELECT, INSERT ON consumed TO yanshen_worker")
    app_pool = open_pool(url, "app")
    try:
        store = EventStore(app_pool)
        for hall in HALLS:
            app = store.application(Tickets, hall)
            for i in range(EVENTS_PER_HALL):
                app.issue(f"A{i:03d}")
    finally:
        app_pool.close()
    return url


def _consumed(url: str) -> list[tuple[str, int]]:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT tenant_id, position FROM consumed ORDER BY 1, 2").fetchall()


def test_two_workers_share_the_halls_and_apply_each_event_once(database):
    pool = open_pool(database, "worker", max_size=6)
    a = Recording(pool, batch_size=7, lease_ttl=30, worker_id="a")
    b = Recording(pool, batch_size=7, lease_ttl=30, worker_id="b")
    try:
        # Both heartbeat first, so each sees two live workers and takes half.
        a.leases.claim([])
        b.leases.claim([])
        threads = [threading.Thread(target=w.catch_up) for w in (a, b, a, b)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        a.catch_up()
        b.catch_up()
        held_a, held_b = a.leases.claim([]), b.leases.claim([])
    finally:
        a.close()
        b.close()
        pool.close()
    expected = [(h, p) for h in HALLS for p in range(1, EVENTS_PER_HALL + 1)]
    assert _consumed(database) == expected
    assert len(held_a) == len(held_b) == 2
    assert not held_a & held_b


def test_a_killed_workers_halls_move_to_the_survivor_after_the_lease_expires(database):
    pool = open_pool(database, "worker", max_size=4)
    dead = Recording(pool, batch_size=1000, lease_ttl=1, worker_id="dead")
    survivor = Recording(pool, batch_size=1000, lease_ttl=1, worker_id="survivor")
    try:
        assert dead.leases.claim(HALLS) == set(HALLS)  # alone: takes every hall
        # "dead" never heartbeats again (killed without releasing its leases).
        assert survivor.catch_up() == 0
        time.sleep(1.5)
        assert survivor.catch_up() == len(HALLS) * EVENTS_PER_HALL
    finally:
        survivor.close()
        pool.close()
    assert len(_consumed(database)) == len(HALLS) * EVENTS_PER_HALL


def test_a_clean_stop_hands_the_halls_over_at_once(database):
    pool = open_pool(database, "worker", max_size=4)
    first = Recording(pool, lease_ttl=60, worker_id="first")
    second = Recording(pool, lease_ttl=60, worker_id="second")
    try:
        assert first.leases.claim(HALLS) == set(HALLS)
        first.close()
        assert second.catch_up() == len(HALLS) * EVENTS_PER_HALL
    finally:
        second.close()
        pool.close()


class Slow(Recording):
    """Takes a while per batch: a long backlog outlives the lease TTL several times."""

    def handle(self, conn, tenant_id, notifications):
        time.sleep(0.3)
        super().handle(conn, tenant_id, notifications)


def test_a_worker_keeps_its_halls_while_it_catches_up_a_long_backlog(database):
    pool = open_pool(database, "worker", max_size=6)
    a = Slow(pool, batch_size=5, lease_ttl=1.5, worker_id="a")
    b = Recording(pool, batch_size=5, lease_ttl=1.5, worker_id="b")
    try:
        a.leases.claim([])
        b.leases.claim([])  # two live workers: two halls each
        mine = a.leases.claim(HALLS)
        assert len(mine) == 2
        # a's two halls take 2 × 8 batches × 0.3 s, about three lease TTLs; b tries to take
        # halls all along and would get a's as soon as a lease expired.
        taken: set[str] = set()
        worker = threading.Thread(target=a.catch_up)
        worker.start()
        while worker.is_alive():
            taken |= b.leases.claim(HALLS) & mine
            time.sleep(0.05)
        worker.join()
    finally:
        a.close()
        b.close()
        pool.close()
    assert taken == set()
    done = {hall for hall, _ in _consumed(database)}
    assert done == mine
    assert len(_consumed(database)) == len(mine) * EVENTS_PER_HALL


def test_a_worker_busy_with_a_backlog_keeps_only_its_fair_share(database):
    pool = open_pool(database, "worker", max_size=4)
    a = Recording(pool, lease_ttl=0.6, worker_id="a")
    b = Recording(pool, lease_ttl=0.6, worker_id="b")
    try:
        assert a.leases.claim(HALLS) == set(HALLS)  # alone so far: every hall
        b.leases.claim([])  # a second worker starts
        time.sleep(0.25)  # a third of the TTL: a renews between two batches
        kept = a.leases.keep(["hall-c", "hall-a", "hall-d", "hall-b"])
        assert kept == {"hall-c", "hall-a"}  # the halls it works on first
        assert b.leases.claim(HALLS) == {"hall-b", "hall-d"}
    finally:
        a.close()
        b.close()
        pool.close()


def test_a_worker_busy_with_a_backlog_gives_back_pending_halls_beyond_its_share(database):
    """Every renewal trims to the fair share, a round's ``claim`` too: during a catch-up
    every hall is pending, and a worker started meanwhile must get its part at once."""
    pool = open_pool(database, "worker", max_size=4)
    a = Recording(pool, lease_ttl=30, worker_id="a")
    b = Recording(pool, lease_ttl=30, worker_id="b")
    try:
        assert a.leases.claim(HALLS) == set(HALLS)  # alone so far: every hall
        b.leases.claim([])  # a second worker starts
        # Every hall pending: the first two in ``pending`` are kept, the others given back.
        assert a.leases.claim(["hall-d", "hall-c", "hall-b", "hall-a"]) == {"hall-c", "hall-d"}
        assert b.leases.claim(HALLS) == {"hall-a", "hall-b"}
    finally:
        a.close()
        b.close()
        pool.close()
