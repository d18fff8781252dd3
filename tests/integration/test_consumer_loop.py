"""A :class:`ConsumerLoop` keeps consuming whatever happens to its connections or its rounds:
sessions terminated again and again, a ``LISTEN`` connection that cannot be reopened, a round
that fails with an error that is not the database's being gone."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from services.store import EventStore, open_pool
from services.store.consumer import LISTEN_CONNECT_TIMEOUT, ConsumerLoop, LogConsumer
from services.store.pool import Pool
from services.store.subscription import CHANNEL
from tests.fixtures.postgres import fresh_database
from tests.integration.projections.support import wait_until
from tests.integration.store.domain import Tickets

HALL = "loop-a"


class Recording(LogConsumer):
    """Records every position it processes, under its own consumer name."""

    def __init__(self, pool: Pool, consumer: str, **kwargs: Any) -> None:
        self.consumer = consumer
        super().__init__(pool, **kwargs)

    def handle(self, conn, tenant_id, notifications):
        for n in notifications:
            conn.execute(
                "INSERT INTO consumed (consumer, tenant_id, position) VALUES (%s, %s, %s)",
                (self.consumer, tenant_id, n.id),
            )


@pytest.fixture(scope="module")
def database(admin_database_url: str, worker_id: str) -> str:
    """A database of its own: the tests terminate its sessions."""
    name = f"yanshen_test_loop_{worker_id}"
    url = fresh_database(admin_database_url, name)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE consumed (consumer text, tenant_id text, position bigint,"
            " PRIMARY KEY (consumer, tenant_id, position))"
        )
        conn.execute("GRANT SELECT, INSERT ON consumed TO yanshen_worker")
    return url


@pytest.fixture(scope="module")
def tickets(database: str) -> Iterator[Tickets]:
    """The hall's application: each ticket issued is one new event."""
    pool = open_pool(database, "app")
    try:
        yield EventStore(pool).application(Tickets, HALL)
    finally:
        pool.close()


@pytest.fixture
def worker_pool(database: str, request: pytest.FixtureRequest) -> Iterator[tuple[Pool, str]]:
    """A worker pool whose sessions (and its loop's ``LISTEN``) carry the test's name."""
    app_name = f"loop-{request.node.name}"[:63]
    pool = open_pool(make_conninfo(database, application_name=app_name), "worker", max_size=4)
    yield pool, app_name
    pool.close()


def _caught_up(url: str, consumer: LogConsumer) -> bool:
    """``consumer`` applied every event of the log (the tests of a module share it)."""
    with psycopg.connect(url) as conn:
        head = conn.execute("SELECT sum(position) FROM tenant_heads").fetchone()
        row = conn.execute(
            "SELECT count(*) FROM consumed WHERE consumer = %s", (consumer.consumer,)
        ).fetchone()
    return head is not None and row is not None and head[0] == row[0]


def _terminate(url: str, app_name: str, *, listener_only: bool = False) -> int:
    """``pg_terminate_backend`` the sessions of ``app_name``; returns how many."""
    query = (
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
        " WHERE application_name = %s AND (NOT %s OR query = %s)"
    )
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(query, (app_name, listener_only, f"LISTEN {CHANNEL}")).fetchone()
    return int(row[0]) if row else 0


@contextmanager
def running(loop: ConsumerLoop) -> Iterator[threading.Thread]:
    """``loop.run_forever`` in a thread, as under ``yanshen run``; stopped at the end."""
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield thread
    finally:
        loop.stop()
        thread.join(timeout=15)
    assert not thread.is_alive(), "stop() did not end run_forever"


def test_a_loop_whose_sessions_are_terminated_again_and_again_recovers_as_fast_each_time(
    database, tickets, worker_pool
):
    pool, app_name = worker_pool
    consumer = Recording(pool, "test:blips")
    loop = ConsumerLoop(pool, [consumer], poll_interval=0.25)
    with running(loop):
        tickets.issue("B000")
        wait_until(lambda: _caught_up(database, consumer), 30, "the first event")
        took = []
        for blip in range(1, 7):
            assert _terminate(database, app_name) >= 1
            tickets.issue(f"B{blip:03d}")
            took.append(
                wait_until(lambda: _caught_up(database, consumer), 60, f"the event of blip {blip}")
            )
    # Each blip costs a failed round and a pause of poll_interval, not a pause that doubles
    # with every blip since the start (0.25, 0.5, 1, 2, 4, 8 s …, up to 30 s).
    assert max(took) < 4.0, took


def test_the_listener_connects_like_the_pool_with_a_connect_timeout(worker_pool):
    """A worker pool's keepalives reach the ``LISTEN`` connection too (else a listener whose
    server vanished would wait silently), and opening it cannot hang a round for minutes."""
    pool, app_name = worker_pool
    loop = ConsumerLoop(pool, [Recording(pool, "test:listener")])
    listener = loop._open_listener()
    try:
        given = listener.info.get_parameters()
    finally:
        listener.close()
    assert given["application_name"] == app_name
    assert (given["keepalives"], given["keepalives_idle"]) == ("1", "10")
    assert given["connect_timeout"] == str(LISTEN_CONNECT_TIMEOUT)


def test_a_loop_whose_listener_cannot_reconnect_applies_events_by_polling(
    database, tickets, worker_pool, monkeypatch
):
    pool, app_name = worker_pool
    consumer = Recording(pool, "test:no-listen")
    loop = ConsumerLoop(pool, [consumer], poll_interval=0.2)
    opened = []
    open_listener = loop._open_listener

    def refused_after_the_first() -> psycopg.Connection[Any]:
        if opened:  # e.g. max_connections reached: the pool's open connections still work
            raise psycopg.OperationalError("sorry, too many clients already (simulated)")
        opened.append(open_listener())
        return opened[-1]

    monkeypatch.setattr(loop, "_open_listener", refused_after_the_first)
    with running(loop) as thread:
        tickets.issue("L000")
        wait_until(lambda: _caught_up(database, consumer), 30, "the first event")
        assert _terminate(database, app_name, listener_only=True) == 1
        for i in range(1, 4):
            tickets.issue(f"L{i:03d}")
            wait_until(lambda: _caught_up(database, consumer), 15, f"event {i} by polling")
        assert thread.is_alive()
    assert len(opened) == 1


def test_a_round_failing_with_a_bug_does_not_end_the_loop(
    database, tickets, worker_pool, monkeypatch, caplog
):
    pool, _ = worker_pool
    consumer = Recording(pool, "test:bug")
    loop = ConsumerLoop(pool, [consumer], poll_interval=0.1)
    errors = [
        KeyError("a bug in the bookkeeping"),
        psycopg.errors.UniqueViolation("not operational"),
    ]
    claim = consumer.leases.claim

    def failing_claim(halls: Any) -> set[str]:
        if errors:
            raise errors.pop(0)
        return claim(halls)

    monkeypatch.setattr(consumer.leases, "claim", failing_claim)
    caplog.set_level(logging.ERROR, logger="services.store.consumer")
    tickets.issue("E000")
    with running(loop) as thread:
        wait_until(lambda: _caught_up(database, consumer), 30, "the event applied")
        assert thread.is_alive()
    assert errors == []
    failed = [r for r in caplog.records if "round failed" in r.getMessage()]
    assert [type(r.exc_info[1]) for r in failed if r.exc_info] == [
        KeyError,
        psycopg.errors.UniqueViolation,
    ]


def test_an_interrupt_in_a_round_still_ends_the_loop_and_hands_the_halls_over(
    database, tickets, worker_pool, monkeypatch
):
    pool, _ = worker_pool
    consumer = Recording(pool, "test:interrupt")
    loop = ConsumerLoop(pool, [consumer], poll_interval=0.1)
    tickets.issue("I000")
    consumer.leases.claim([HALL])

    def interrupted() -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(consumer, "catch_up", interrupted)
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        loop.run_forever()
    assert time.monotonic() - started < 10
    other = Recording(pool, "test:interrupt", lease_ttl=60, worker_id="other")
    assert other.leases.claim([HALL]) == {HALL}  # released at once, not after the TTL
    other.close()


def test_a_hall_whose_position_another_session_holds_waits_and_the_others_go_on(
    database, tickets, worker_pool
):
    """As after a lease moved from a worker that froze in the middle of a batch: its session
    holds the hall's position row. Waiting for it stopped every other hall of the round."""
    pool, _ = worker_pool
    consumer = Recording(pool, "frozen-hall")
    app_pool = open_pool(database, "app")
    try:
        other = EventStore(app_pool).application(Tickets, "loop-b")
        tickets.issue("F000")
        other.issue("G000")
        consumer.catch_up()
        tickets.issue("F001")
        other.issue("G001")
        with psycopg.connect(database) as frozen:
            frozen.execute(
                "SELECT 1 FROM consumer_positions WHERE consumer = %s AND tenant_id = %s"
                " FOR UPDATE",
                (consumer.consumer, HALL),
            )
            round_ = threading.Thread(target=consumer.catch_up, daemon=True)
            round_.start()
            round_.join(timeout=10)
            assert not round_.is_alive(), "the round waited for the other session"
            behind = _behind(database, consumer.consumer)
        assert behind == {HALL: 1}  # loop-b applied, loop-a left for the next round
        consumer.catch_up()
        assert _caught_up(database, consumer)
    finally:
        consumer.close()
        app_pool.close()


def _behind(url: str, consumer: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT h.tenant_id, h.position - COALESCE(c.position, 0) FROM tenant_heads h"
            " LEFT JOIN consumer_positions c ON c.tenant_id = h.tenant_id AND c.consumer = %s"
            " WHERE h.position > COALESCE(c.position, 0)",
            (consumer,),
        ).fetchall()
    return {str(t): int(n) for t, n in rows}
