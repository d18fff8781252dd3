"""The projection worker: brings every hall's read models up to the head of its log.

Woken by ``NOTIFY yanshen_events`` and polling as a fallback. Each batch of one hall is
applied and its position recorded in one transaction; the tracking row is locked
(``FOR UPDATE``) so two workers never apply the same events twice.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence

import psycopg
from prometheus_client import Counter, Gauge
from psycopg_pool import ConnectionPool

from projections.runtime.decoding import decode
from projections.runtime.projection import Projection
from services.store import EventStore, record_consumer_position

__all__ = ["ProjectionWorker"]

log = logging.getLogger(__name__)

EVENTS_APPLIED = Counter(
    "yanshen_projection_events_total", "Events applied by projections", ["projection"]
)
PROJECTION_LAG = Gauge(
    "yanshen_projection_lag_events",
    "Events a hall's read model is behind",
    ["projection", "tenant"],
)


class ProjectionWorker:
    """Runs ``projections`` for every hall, reading through ``store`` (worker role)."""

    def __init__(
        self,
        pool: ConnectionPool,
        projections: Sequence[Projection],
        *,
        batch_size: int = 500,
        poll_interval: float = 1.0,
    ) -> None:
        self.pool = pool
        self.store = EventStore(pool)
        self.projections = list(projections)
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self._stop = threading.Event()

    def run_once(self) -> int:
        """Apply everything pending for every hall; returns the number of events applied."""
        applied = 0
        for projection in self.projections:
            for tenant_id, head in self.store.pending_tenants(projection.consumer):
                applied += self._catch_up(projection, tenant_id, head)
        return applied

    def _catch_up(self, projection: Projection, tenant_id: str, head: int) -> int:
        applied = 0
        while True:
            n, position = self._apply_batch(projection, tenant_id)
            applied += n
            PROJECTION_LAG.labels(projection.name, tenant_id).set(max(head - position, 0))
            if n < self.batch_size:
                return applied

    def _apply_batch(self, projection: Projection, tenant_id: str) -> tuple[int, int]:
        with self.pool.connection() as conn, conn.transaction():
            position = self._lock_position(conn, projection.consumer, tenant_id)
            notifications = self.store.recorder(tenant_id).select_notifications(
                start=position + 1, limit=self.batch_size
            )
            for notification in notifications:
                projection.apply(decode(notification), conn, tenant_id, notification.id)
                position = notification.id
            if notifications:
                record_consumer_position(conn, projection.consumer, tenant_id, position)
                EVENTS_APPLIED.labels(projection.name).inc(len(notifications))
            return len(notifications), position

    @staticmethod
    def _lock_position(conn: psycopg.Connection, consumer: str, tenant_id: str) -> int:
        conn.execute(
            "INSERT INTO consumer_positions (consumer, tenant_id, position) VALUES (%s, %s, 0)"
            " ON CONFLICT DO NOTHING",
            (consumer, tenant_id),
        )
        row = conn.execute(
            "SELECT position FROM consumer_positions WHERE consumer = %s AND tenant_id = %s"
            " FOR UPDATE",
            (consumer, tenant_id),
        ).fetchone()
        assert row is not None
        return int(row[0])

    def run_forever(self) -> None:
        """Until :meth:`stop`: catch up, then wait for a NOTIFY or the poll interval."""
        listener = psycopg.connect(self.pool.conninfo, autocommit=True)
        try:
            listener.execute("LISTEN yanshen_events")
            while not self._stop.is_set():
                try:
                    self.run_once()
                except Exception:  # keep the worker alive; the batch was rolled back
                    log.exception("projection batch failed; retrying")
                    time.sleep(self.poll_interval)
                for _ in listener.notifies(timeout=self.poll_interval, stop_after=1):
                    pass
        finally:
            listener.close()

    def stop(self) -> None:
        self._stop.set()
