"""One stuck hall stops nobody else, and a hall taken over is left to its new holder.

- A session holding a hall's position rows (a frozen worker: SIGSTOP, a VM pause, a lost
  network) does not stop a worker from applying the events of its other halls; the hall
  catches up once the rows are free again.
- A frozen worker's batch is ended by the server after the batch timeout, so its hall moves
  on to another worker while it is still frozen.
- A worker that lost a hall's lease without noticing yet applies no batch of it.
- Worker connections use TCP keepalives (a dead machine's session does not linger for hours).
"""

from __future__ import annotations

import psycopg

from projections.runtime import ProjectionWorker
from projections.runtime.group import GROUP_CONSUMER
from services.store import open_pool
from services.store.pool import WORKER_KEEPALIVES
from tests.integration.projections.sharing import (
    CONSUMER,
    Freezing,
    Recording,
    Running,
    assert_applied_once,
    behind,
    write_tickets,
)
from tests.integration.projections.support import heads, positions, wait_until


def test_a_locked_hall_does_not_stop_the_others_and_catches_up_once_free(
    db_url, own_platform, recorded
):
    halls = [f"lock-{c}" for c in "abcd"]
    stuck = halls[0]  # the first hall of every round
    write_tickets(own_platform, halls, 5)
    worker = Running(db_url, Recording(), "lock-w", poll_interval=0.2).start()
    frozen = psycopg.connect(db_url)  # a frozen worker's session: its batch never ends
    try:
        wait_until(lambda: not behind(db_url, halls), 30, "the worker catches up")
        # As a frozen worker leaves it: position moved, transaction open.
        frozen.execute(
            "UPDATE consumer_positions SET position = position"
            " WHERE consumer = %s AND tenant_id = %s",
            (CONSUMER, stuck),
        )
        write_tickets(own_platform, halls, 5)
        wait_until(lambda: behind(db_url, halls) == {stuck}, 20, "the other halls are applied")
        frozen.rollback()
        wait_until(lambda: not behind(db_url, halls), 20, "the freed hall catches up")
    finally:
        frozen.close()
        worker.stop()
    assert_applied_once(db_url, halls)


def test_a_frozen_workers_batch_is_rolled_back_and_its_hall_moves_on(
    db_url, own_platform, recorded
):
    halls = [f"frozen-{c}" for c in "ab"]
    write_tickets(own_platform, halls, 5)
    freezing = Freezing(halls[0])
    a = Running(db_url, freezing, "frozen-a", lease_ttl=1, poll_interval=0.2)
    a.worker.group.batch_timeout = 2.0
    a.start()
    b: Running | None = None
    try:
        assert freezing.frozen.wait(30), "worker a never froze"
        b = Running(db_url, Recording(), "frozen-b", lease_ttl=1, poll_interval=0.2).start()
        wait_until(
            lambda: not behind(db_url, halls),
            30,
            "the frozen worker's halls are applied by the other one",
        )
        assert not freezing.thaw.is_set()
    finally:
        freezing.thaw.set()
        a.stop()
        if b is not None:
            b.stop()
    assert_applied_once(db_url, halls)


def test_a_batch_is_not_applied_once_the_hall_was_taken_over(db_url, own_platform, recorded):
    hall = "taken-a"
    write_tickets(own_platform, [hall], 3)
    pool = open_pool(db_url, "worker", max_size=2)
    worker = ProjectionWorker(pool, [Recording()], worker_id="taken-w")
    try:
        worker.run_once()
        assert positions(db_url, CONSUMER)[hall] == heads(db_url)[hall]
        write_tickets(own_platform, [hall], 3)
        # Another worker took the hall over; this one has not renewed since (its view of its
        # leases is stale: a worker frozen between two batches).
        with psycopg.connect(db_url, autocommit=True) as conn:
            conn.execute(
                "UPDATE consumer_leases SET worker_id = 'taken-other'"
                " WHERE consumer = %s AND tenant_id = %s",
                (GROUP_CONSUMER, hall),
            )
        before = positions(db_url, CONSUMER)[hall]
        worker.group.leases.claim = lambda pending: {hall}  # type: ignore[method-assign]
        assert worker.run_once() == 0
        assert positions(db_url, CONSUMER)[hall] == before
    finally:
        worker.close()
        pool.close()
    assert_applied_once(db_url, [hall])


def test_worker_connections_use_tcp_keepalives(db_url):
    pool = open_pool(db_url, "worker", max_size=1)
    try:
        with pool.connection() as conn:
            given = conn.info.get_parameters()
            assert {k: given.get(k) for k in WORKER_KEEPALIVES} == {
                k: str(v) for k, v in WORKER_KEEPALIVES.items()
            }
            role, idle = conn.execute(
                "SELECT current_user, current_setting('tcp_keepalives_idle')"
            ).fetchone()
            assert role == "yanshen_worker"
            # Over TCP the server probes a silent worker too (a Unix socket shows 0).
            assert conn.info.hostaddr == "" or int(idle) == WORKER_KEEPALIVES["keepalives_idle"]
    finally:
        pool.close()
