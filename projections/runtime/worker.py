"""The projection worker: brings every hall's read models up to the head of its log.

Positions are kept per projection and hall; a worker applies all its projections to a hall
in one transaction per batch (a projection far behind catches up in its own batches, so it
holds nobody back). Workers are woken by ``NOTIFY`` after every commit and poll as a
fallback; several workers share the halls by leases on the group (consumer ``projections``,
:mod:`services.store.leases`). A frozen worker stops only its own halls' batches, and those
only until the server ends its open batch (:mod:`projections.runtime.group`). A worker also
sweeps what interrupted rebuilds left (:mod:`projections.runtime.sweep`): at its first round
and every :attr:`ProjectionWorker.sweep_interval` seconds. And it rebuilds online the read
models whose live tables an older version of their code built (:mod:`projections.runtime.upgrade`),
looking at the recorded versions before its first batch and every minute after.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

import psycopg
from eventsourcing.persistence import Notification

from projections.runtime.group import ProjectionGroupConsumer
from projections.runtime.projection import Projection
from projections.runtime.sweep import sweep_stale_rebuilds
from projections.runtime.tracking import apply_next_batch
from projections.runtime.upgrade import VersionUpgrades
from services.shared.metrics import serve_metrics
from services.store.consumer import ConsumerLoop, LogConsumer
from services.store.pool import Pool

__all__ = ["ProjectionConsumer", "ProjectionWorker"]

log = logging.getLogger(__name__)


class ProjectionConsumer(LogConsumer):
    """Applies one projection to the halls it holds, one batch per transaction.

    A batch reads the log on the transaction's own connection, only the projection's topics,
    and hands the projection the whole range (see :func:`apply_next_batch`).
    """

    def __init__(self, pool: Pool, projection: Projection, **kwargs: Any) -> None:
        self.projection = projection
        self.consumer = projection.consumer
        self.topics = projection.topics()
        super().__init__(pool, **kwargs)

    def handle(
        self, conn: psycopg.Connection[Any], tenant_id: str, notifications: Sequence[Notification]
    ) -> None:  # pragma: no cover - batches go through _batch below
        raise NotImplementedError("projection batches are applied by apply_next_batch")

    def _batch(self, tenant_id: str) -> tuple[int, int]:
        with self.pool.connection() as conn, conn.transaction():
            return apply_next_batch(
                conn,
                self.projection,
                consumer=self.consumer,
                tenant_id=tenant_id,
                limit=self.batch_size,
                topics=self.topics,
            )


class ProjectionWorker(ConsumerLoop):
    """Runs ``projections`` for every hall, reading with the worker role: one group batch
    per hall and round (:class:`~projections.runtime.group.ProjectionGroupConsumer`)."""

    sweep_interval = 60.0
    """Seconds between sweeps of what interrupted rebuilds left (the first sweep comes with
    the first round): the longest a killed rebuild's shadow (its copy of personal data
    included) outlives it while a worker runs."""

    def __init__(
        self,
        pool: Pool,
        projections: Sequence[Projection],
        *,
        batch_size: int = 500,
        poll_interval: float = 1.0,
        lease_ttl: float = 10.0,
        worker_id: str | None = None,
        metrics_port: int | None = None,
        database_url: str | None = None,
        rebuild_batch_size: int = 5_000,
    ) -> None:
        """``database_url``: the tables' owner, for the automatic rebuilds after an upgrade
        (``None``: the worker only reports the read models that need ``yanshen rebuild``);
        ``rebuild_batch_size``: positions per batch of those rebuilds."""
        for projection in projections:
            projection.check_definition(rebuildable=False)
            if not projection.tables:
                log.warning(
                    "projection %s declares no tables: it cannot be rebuilt", projection.name
                )
        group = ProjectionGroupConsumer(
            pool, projections, batch_size=batch_size, lease_ttl=lease_ttl, worker_id=worker_id
        )
        super().__init__(pool, [group], poll_interval=poll_interval)
        self.group = group
        self.metrics_port = metrics_port
        self._swept_at: float | None = None
        self.upgrades = VersionUpgrades(
            pool, projections, database_url, batch_size=rebuild_batch_size
        )

    def run_once(self) -> int:
        """Sweep stale rebuilds when due, look at the read models' versions when due (the
        first time before any batch: a failure there fails the round), then one round:
        catch every hall up."""
        self._sweep()
        self.upgrades.check()
        return super().run_once()

    def stop(self) -> None:
        """Stop the rounds and cancel a running automatic rebuild."""
        self.upgrades.stop()
        super().stop()

    def close(self) -> None:
        """Hand the halls over; a running automatic rebuild is cancelled and cleaned up
        (waited for up to 30 s)."""
        super().close()
        self.upgrades.stop()
        if not self.upgrades.join(30.0):
            log.warning("the automatic rebuild did not stop within 30 s")

    def _sweep(self) -> None:
        """Drop what rebuilds that no longer run left (never waits for a running one). A
        failure is logged, never raised: housekeeping must not stop the read models."""
        now = time.monotonic()
        if self._swept_at is not None and now - self._swept_at < self.sweep_interval:
            return
        self._swept_at = now
        try:
            with self.pool.connection() as conn:
                sweep_stale_rebuilds(conn)
        except Exception as error:
            log.warning(
                "could not sweep interrupted rebuilds (%s); next try in %.0f s",
                error,
                self.sweep_interval,
            )

    def run_forever(self) -> None:
        """Serve metrics (when a port is set), then run until :meth:`stop`, in rounds of at
        most a second (:meth:`run_once` catches up everything)."""
        self.group.round_seconds = 1.0
        serve_metrics(self.metrics_port, "projection")
        super().run_forever()
