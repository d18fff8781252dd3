"""Support for the tests of workers sharing halls: a projection that records every position
it applies (a position applied twice violates the key), slow or frozen on demand, and
projection workers run in threads of this process."""

from __future__ import annotations

import threading
import time
from typing import Any

import psycopg

from projections.runtime import Projection, ProjectionWorker
from projections.runtime.group import GROUP_CONSUMER
from services.store import EventStore, open_pool
from services.store.pool import Pool
from tests.integration.projections.support import heads, positions
from tests.integration.store.domain import Tickets

SEEN = "shared_halls_seen"


class Recording(Projection):
    """Records every (hall, position) it applies: a position applied twice violates the key.
    Reads no events (``topics`` empty): the batch's range is all it needs."""

    name = "shared_halls_recording"
    tables = ()

    def __init__(self, pause: float = 0.0) -> None:
        self.pause = pause

    def topics(self) -> frozenset[str] | None:
        return frozenset()

    def apply_batch(self, conn: Any, batch: Any) -> None:
        if self.pause:
            time.sleep(self.pause)  # a slow read model
        conn.execute(
            f"INSERT INTO {SEEN} SELECT %s, generate_series(%s::bigint + 1, %s::bigint)",
            (batch.tenant_id, batch.after, batch.upto),
        )


class Freezing(Recording):
    """Freezes in the middle of its first batch of ``hall`` until :attr:`thaw` is set, its
    transaction open (as a worker stopped by SIGSTOP would)."""

    def __init__(self, hall: str) -> None:
        super().__init__()
        self.hall = hall
        self.frozen = threading.Event()
        self.thaw = threading.Event()

    def apply_batch(self, conn: Any, batch: Any) -> None:
        super().apply_batch(conn, batch)
        if batch.tenant_id == self.hall and not self.frozen.is_set():
            conn.execute("SELECT 1").fetchone()  # the batch's rows are written, the row locked
            self.frozen.set()
            self.thaw.wait(120)


CONSUMER = Recording().consumer


def write_tickets(platform: Any, halls: list[str], events: int) -> None:
    """``events`` new events in each of ``halls`` (a ticket each)."""
    store = EventStore(platform.app_pool)
    for hall in halls:
        app = store.application(Tickets, hall)
        for i in range(events):
            app.issue(f"A{i:03d}")


def holders(url: str) -> dict[str, set[str]]:
    """Live leases of the group: worker id → halls."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT worker_id, tenant_id FROM consumer_leases"
            " WHERE consumer = %s AND expires_at > clock_timestamp()",
            (GROUP_CONSUMER,),
        ).fetchall()
    found: dict[str, set[str]] = {}
    for worker, hall in rows:
        found.setdefault(worker, set()).add(hall)
    return found


def behind(url: str, halls: list[str]) -> set[str]:
    """The ``halls`` where :class:`Recording` is behind the head."""
    head, at = heads(url), positions(url, CONSUMER)
    return {h for h in halls if at.get(h, 0) < head[h]}


def assert_applied_once(url: str, halls: list[str]) -> None:
    """Every position up to each hall's recorded one was applied, and once (the key)."""
    at = positions(url, CONSUMER)
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            f"SELECT tenant_id, count(*), max(position) FROM {SEEN} GROUP BY 1"
        ).fetchall()
    assert {t: (n, top) for t, n, top in rows if t in halls} == {h: (at[h], at[h]) for h in halls}


class Running:
    """A :class:`ProjectionWorker` on a pool of its own, run in a thread until :meth:`stop`."""

    def __init__(self, url: str, projection: Projection, worker_id: str, **options: Any) -> None:
        self.pool: Pool = open_pool(url, "worker", max_size=2)
        self.worker = ProjectionWorker(self.pool, [projection], worker_id=worker_id, **options)
        self.thread = threading.Thread(target=self.worker.run_forever, daemon=True)

    def start(self) -> Running:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.worker.stop()
        self.thread.join(timeout=60)
        self.pool.close()
