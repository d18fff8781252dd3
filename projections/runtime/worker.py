"""The projection worker: brings every hall's read models up to the head of its log.

Each projection is its own consumer (positions and leases per projection and hall), so a
new or rebuilt projection catches up without holding the others back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg
from eventsourcing.persistence import Notification

from projections.runtime.projection import Projection
from services.store import decode
from services.store.consumer import ConsumerLoop, LogConsumer
from services.store.pool import Pool

__all__ = ["ProjectionConsumer", "ProjectionWorker"]


class ProjectionConsumer(LogConsumer):
    """Applies one projection's handlers to the events of every hall it holds."""

    def __init__(self, pool: Pool, projection: Projection, **kwargs: Any) -> None:
        self.projection = projection
        self.consumer = projection.consumer
        super().__init__(pool, **kwargs)

    def handle(
        self, conn: psycopg.Connection[Any], tenant_id: str, notifications: Sequence[Notification]
    ) -> None:
        for notification in notifications:
            self.projection.apply(decode(notification), conn, tenant_id, notification.id)


class ProjectionWorker(ConsumerLoop):
    """Runs ``projections`` for every hall, reading with the worker role."""

    def __init__(
        self,
        pool: Pool,
        projections: Sequence[Projection],
        *,
        batch_size: int = 500,
        poll_interval: float = 1.0,
        lease_ttl: float = 10.0,
        worker_id: str | None = None,
    ) -> None:
        super().__init__(
            pool,
            [
                ProjectionConsumer(
                    pool, p, batch_size=batch_size, lease_ttl=lease_ttl, worker_id=worker_id
                )
                for p in projections
            ],
            poll_interval=poll_interval,
        )
