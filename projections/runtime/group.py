"""All projections of a worker applied together, one transaction per hall and batch.

Positions stay per (projection, hall) and each projection still gets exactly its own range
(:func:`~projections.runtime.tracking.apply_group_batch`): a hall costs one transaction per
round instead of one per projection, and the log is read once for all of them.

A projection far behind the others (new, or just rebuilt for one hall) would hold the group
back; it runs in its own batches until it is close again. A projection whose batch fails
runs alone for that hall until it succeeds, retried after 2, 4, … up to 60 seconds, so one
broken read model never stops the others. A projection whose live tables a newer version of
its code built (``projection_versions``) is dropped from the group for good: this worker's
older code applies nothing more to it.
Leases are taken per hall for the whole group (consumer ``projections``).

A hall whose position rows another session holds (another worker's batch: perhaps a worker
frozen in the middle of one, by SIGSTOP, a VM pause or a lost network) is skipped after a
short wait and tried again a second later; the other halls go on. The server ends a batch
that runs longer than :attr:`ProjectionGroupConsumer.batch_timeout` (a frozen worker's), so
the hall's position rows do not stay locked for good.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

import psycopg
from eventsourcing.persistence import Notification

from projections.runtime.projection import Projection
from projections.runtime.tracking import GroupBatch, Member, PositionLockedError, apply_group_batch
from projections.runtime.versions import CODE_OUTDATED, PROJECTION_VERSION
from services.store.consumer import BATCH_FAILURES, CONSUMER_LAG, EVENTS_CONSUMED, LogConsumer
from services.store.pool import Pool

__all__ = ["GROUP_CONSUMER", "ProjectionGroupConsumer"]

log = logging.getLogger(__name__)

GROUP_CONSUMER = "projections"
"""The consumer name of the group's leases (positions stay per projection)."""

_PENDING = """
SELECT h.tenant_id, h.position
FROM tenant_heads h
LEFT JOIN (
    SELECT tenant_id, count(*) AS n, min(position) AS low FROM consumer_positions
    WHERE consumer = ANY(%(consumers)s) GROUP BY tenant_id
) c ON c.tenant_id = h.tenant_id
WHERE COALESCE(c.n, 0) < %(k)s OR h.position > c.low
ORDER BY h.tenant_id
"""


class ProjectionGroupConsumer(LogConsumer):
    """Runs ``projections`` over the halls this worker holds, batch by batch."""

    consumer = GROUP_CONSUMER

    position_lock_timeout = 0.1
    """Seconds a batch waits for its hall's position rows before it skips the hall."""
    locked_retry = 1.0
    """Seconds before a hall skipped for its locked position rows is tried again."""

    def __init__(self, pool: Pool, projections: Sequence[Projection], **kwargs: Any) -> None:
        self.members = {m.consumer: m for m in map(Member.live, projections)}
        self._alone: set[tuple[str, str]] = set()
        """(consumer, hall) pairs that run alone (failed, or far behind) until caught up."""
        self._retry_at: dict[tuple[str, str], tuple[float, int]] = {}
        """Failed (consumer, hall) pairs: when to try again, and how many failures so far."""
        self._held: set[str] = set()
        self._claimed_at = float("-inf")
        self.round_seconds: float | None = None
        """How long a round of :meth:`catch_up` may run before it leaves the rest to the
        next one (``None``: until every hall is through; the live worker uses 1 s)."""
        self.unfinished = False
        """Whether the last round stopped with work left (the next one should start now)."""
        self._locked: dict[str, float] = {}
        """Halls skipped because another session held their position rows (until a batch
        of theirs gets through): when to try again."""
        super().__init__(pool, **kwargs)
        self.batch_timeout: float | None = max(30.0, 3 * self.leases.ttl)
        """Seconds after which the server ends a batch's transaction, and its session (a
        worker frozen in the middle of a batch would hold the hall's position rows until its
        connection is gone: hours, for a machine that died). Far longer than a batch takes:
        a batch ended by it is tried again whole, and would never get through. ``None``: no
        limit. PostgreSQL 17 and later (``transaction_timeout``)."""

    def handle(
        self, conn: psycopg.Connection[Any], tenant_id: str, notifications: Sequence[Notification]
    ) -> None:  # pragma: no cover - the group applies batches itself
        raise NotImplementedError("group batches are applied by apply_group_batch")

    def pending(self) -> dict[str, int]:
        """Halls where some projection is behind the head: hall → head."""
        params = {"consumers": list(self.members), "k": len(self.members)}
        with self.pool.connection() as conn:
            rows = conn.execute(_PENDING, params, prepare=True).fetchall()
        return {str(t): int(h) for t, h in rows}

    def catch_up(self) -> int:
        """Process everything pending in the halls this worker holds; returns positions done.

        The halls take turns, a batch each: a hall with a long backlog (a new projection, a
        bulk import) does not hold back the new events of the others until it is through.
        """
        started = time.monotonic()
        self.unfinished = False
        pending = self.pending()
        held = self._claim(pending)
        now = time.monotonic()
        self._locked = {t: at for t, at in self._locked.items() if t in held}
        due = {
            t: set[str]() for t in sorted(held) if t in pending and self._locked.get(t, 0) <= now
        }
        done = 0
        while due:
            for tenant_id, failed in list(due.items()):
                if tenant_id not in self._held:  # taken over: the new holder goes on
                    del due[tenant_id]
                    continue
                try:
                    step, more = self._step(tenant_id, pending[tenant_id], failed)
                except PositionLockedError:
                    self._skip_locked(tenant_id)
                    del due[tenant_id]
                    continue
                self._locked.pop(tenant_id, None)
                done += step
                if not more:
                    del due[tenant_id]
                kept = self.leases.keep([tenant_id, *due])
                if kept is not None:
                    self._held = kept
            limit = self.round_seconds
            if due and limit is not None and time.monotonic() - started >= limit:
                # New events of other halls (and other workers' claims) are looked at by the
                # next round, which starts at once.
                self.unfinished = True
                break
        return done

    def _claim(self, pending: dict[str, int]) -> set[str]:
        """The halls held: claimed when a pending hall is not held, otherwise renewed at most
        every second. Under a steady write load a round runs per commit, and renewing every
        lease each time would write more than the read models do. (Leases spread the work;
        the position locks alone keep it exactly once.)"""
        since = time.monotonic() - self._claimed_at
        if not set(pending) <= self._held or since >= min(1.0, self.leases.ttl / 3):
            self._held = self.leases.claim(pending)
            self._claimed_at = time.monotonic()
        return self._held

    def _skip_locked(self, tenant_id: str) -> None:
        """Leave a hall whose position rows another session holds until :attr:`locked_retry`
        has passed (logged once until a batch of the hall gets through again)."""
        level = logging.DEBUG if tenant_id in self._locked else logging.INFO
        self._locked[tenant_id] = time.monotonic() + self.locked_retry
        log.log(
            level,
            "hall %s: its positions are locked by another session (a batch of another"
            " worker, perhaps a frozen one); skipped, tried again every %.0f s",
            tenant_id,
            self.locked_retry,
        )

    def _live_batch(
        self, conn: psycopg.Connection[Any], members: list[Member], tenant_id: str
    ) -> GroupBatch:
        """One batch of ``members`` in ``tenant_id`` inside the caller's transaction, as a
        live worker runs it: a short wait for the position rows (:class:`PositionLockedError`
        after it), the server's limit on the batch, and only while this worker holds the
        hall (otherwise the hall is dropped and nothing is applied)."""
        result = apply_group_batch(
            conn,
            members,
            tenant_id=tenant_id,
            limit=self.batch_size,
            lock_timeout=self.position_lock_timeout,
            transaction_timeout=self.batch_timeout,
            lease=(self.consumer, self.leases.worker_id),
        )
        if result.lost:
            log.info("hall %s: taken over by another worker; left to it", tenant_id)
            self._held.discard(tenant_id)
        return result

    def close(self) -> None:
        """Hand this worker's halls over at once."""
        self._held = set()
        self._claimed_at = float("-inf")
        super().close()

    def _step(self, tenant_id: str, head: int, failed: set[str]) -> tuple[int, bool]:
        """One batch of the hall's group (and of each member running alone); returns the
        positions covered and whether the hall has more due (``failed``: members whose batch
        failed in this round, not tried again in it)."""
        alone, positions = self._run_alone(tenant_id, failed)
        grouped = [m for c, m in self.members.items() if (c, tenant_id) not in self._alone]
        covered = 0
        if grouped:
            try:
                with self.pool.connection() as conn, conn.transaction():
                    result = self._live_batch(conn, grouped, tenant_id)
            except PositionLockedError:
                raise
            except Exception as error:
                BATCH_FAILURES.labels(self.consumer).inc()
                if self.ends_round(error):
                    raise
                log.warning("group batch of hall %s failed (%s); alone now", tenant_id, error)
                self._alone |= {(m.consumer, tenant_id) for m in grouped}
                return alone, False
            for consumer, n in result.applied.items():
                EVENTS_CONSUMED.labels(consumer).inc(n)
            self._retire(result.outdated)
            if result.lost:
                return alone, False
            self._alone |= {(c, tenant_id) for c in result.behind}
            positions.update(result.positions)
            covered = result.covered
        for consumer, position in positions.items():
            CONSUMER_LAG.labels(consumer, tenant_id).set(max(head - position, 0))
        step = max(covered, alone)
        return step, step >= self.batch_size

    def _retire(self, outdated: dict[str, int]) -> None:
        """Stop applying events to the members a newer version of their code built the live
        tables of (a worker left running old code during a rolling upgrade): logged as an
        error and exported (``yanshen_projection_code_outdated``); the other members go on.
        Only a restart with the newer code brings them back."""
        for consumer, version in outdated.items():
            member = self.members.pop(consumer, None)
            if member is None:
                continue
            name = member.projection.name
            CODE_OUTDATED.labels(name).set(1)
            PROJECTION_VERSION.labels(name, "live").set(version)
            log.error(
                "projection %s: its live tables were built by version %d, this worker runs"
                " version %d; it applies no more events to them (run the newer code)",
                name,
                version,
                member.projection.version,
            )

    def _run_alone(self, tenant_id: str, failed: set[str]) -> tuple[int, dict[str, int]]:
        """One batch of each member that runs alone in this hall (it rejoins the group once
        caught up; one that ``failed`` in this round is not tried again); returns the largest
        batch and their positions."""
        positions: dict[str, int] = {}
        largest = 0
        for consumer, member in list(self.members.items()):
            key = (consumer, tenant_id)
            if key not in self._alone or consumer in failed or consumer not in self.members:
                continue
            if key in self._retry_at and time.monotonic() < self._retry_at[key][0]:
                continue
            try:
                with self.pool.connection() as conn, conn.transaction():
                    result = self._live_batch(conn, [member], tenant_id)
            except PositionLockedError:
                raise
            except Exception as error:
                BATCH_FAILURES.labels(consumer).inc()
                if self.ends_round(error):
                    raise
                failures = self._retry_at.get(key, (0.0, 0))[1] + 1
                delay = min(60.0, 2.0**failures)
                self._retry_at[key] = (time.monotonic() + delay, failures)
                log.exception(
                    "%s: batch of hall %s failed (%d times; next try in %.0f s)",
                    consumer,
                    tenant_id,
                    failures,
                    delay,
                )
                failed.add(consumer)
                continue
            self._retire(result.outdated)
            if result.lost:
                break
            if consumer in result.outdated:
                continue
            self._retry_at.pop(key, None)
            EVENTS_CONSUMED.labels(consumer).inc(result.covered)
            positions.update(result.positions)
            largest = max(largest, result.covered)
            if result.covered < self.batch_size:
                self._alone.discard((consumer, tenant_id))  # caught up: back in the group
        return largest, positions
