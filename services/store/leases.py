"""Leases on halls for the workers of one platform-wide consumer.

Each worker heartbeats, then holds at most its fair share of the halls (halls ÷ live
workers, rounded up), renewing its leases on every round and, during a long catch-up,
between batches (:meth:`LeaseManager.keep`); every renewal gives back what is beyond the
fair share, so a worker started during a catch-up gets its part at once. A killed worker
stops renewing; after ``ttl`` seconds its halls are free and the survivors take them over.
Time is the database's, so workers on different machines agree on expiry.
"""

from __future__ import annotations

import math
import time
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

import psycopg

from services.store.pool import Pool

__all__ = ["LeaseManager"]

_HEARTBEAT = """
INSERT INTO consumer_workers (consumer, worker_id, heartbeat_at)
VALUES (%(c)s, %(w)s, clock_timestamp())
ON CONFLICT (consumer, worker_id) DO UPDATE SET heartbeat_at = EXCLUDED.heartbeat_at
"""
_FORGET_DEAD = """
DELETE FROM consumer_workers
WHERE consumer = %(c)s AND heartbeat_at < clock_timestamp() - make_interval(secs => %(ttl)s)
"""
_LIVE_WORKERS = "SELECT count(*) FROM consumer_workers WHERE consumer = %(c)s"
_HALLS = "SELECT count(*) FROM tenant_heads"
_RENEW = """
UPDATE consumer_leases SET expires_at = clock_timestamp() + make_interval(secs => %(ttl)s)
WHERE consumer = %(c)s AND worker_id = %(w)s
RETURNING tenant_id
"""
_CLAIM = """
INSERT INTO consumer_leases AS l (consumer, tenant_id, worker_id, expires_at)
VALUES (%(c)s, %(t)s, %(w)s, clock_timestamp() + make_interval(secs => %(ttl)s))
ON CONFLICT (consumer, tenant_id) DO UPDATE
SET worker_id = EXCLUDED.worker_id, expires_at = EXCLUDED.expires_at
WHERE l.expires_at < clock_timestamp() OR l.worker_id = EXCLUDED.worker_id
RETURNING tenant_id
"""
_RELEASE = "DELETE FROM consumer_leases WHERE consumer = %(c)s AND worker_id = %(w)s"
_RELEASE_ONE = """
DELETE FROM consumer_leases WHERE consumer = %(c)s AND worker_id = %(w)s AND tenant_id = %(t)s
"""
_LEAVE = "DELETE FROM consumer_workers WHERE consumer = %(c)s AND worker_id = %(w)s"


class LeaseManager:
    """The halls one worker of ``consumer`` may process right now."""

    def __init__(
        self, pool: Pool, consumer: str, *, ttl: float = 10.0, worker_id: str | None = None
    ) -> None:
        self.pool = pool
        self.consumer = consumer
        self.ttl = ttl
        self.worker_id = worker_id or uuid.uuid4().hex
        self._params = {"c": consumer, "w": self.worker_id, "ttl": ttl}
        self._renewed_at = float("-inf")

    def claim(self, pending: Iterable[str]) -> set[str]:
        """Heartbeat, renew the leases held, and claim pending halls up to the fair share.

        Returns the halls this worker holds now. Only the fair share is kept, whether the
        halls are pending or not: a worker started meanwhile gets its part at once, during a
        long catch-up too (when every hall is pending). The halls given back are those not
        pending first, then the pending ones last in ``pending``.
        """
        pending = list(dict.fromkeys(pending))
        with self.pool.connection() as conn:
            share = self._share(conn)
            held = {row[0] for row in conn.execute(_RENEW, self._params)}
            for tenant_id in pending:
                if len(held) >= share:
                    break
                if tenant_id not in held:
                    row = conn.execute(_CLAIM, {**self._params, "t": tenant_id}).fetchone()
                    if row:
                        held.add(row[0])
            kept = self._keep_share(conn, held, share, pending)
        self._renewed_at = time.monotonic()
        return kept

    def keep(self, busy: Sequence[str] = ()) -> set[str] | None:
        """Between batches: heartbeat and renew the leases held once a third of the TTL has
        passed since the last renewal (by :meth:`claim` or :meth:`keep`), so a long catch-up
        keeps its halls; returns the halls still held (a hall missing was taken over: stop
        working on it), ``None`` when no renewal was due.

        Only the fair share is kept, as by :meth:`claim`. The halls given back are those last
        in ``busy`` (the halls being worked on, the current one first) and, before them, any
        others held.
        """
        if time.monotonic() - self._renewed_at < self.ttl / 3:
            return None
        with self.pool.connection() as conn:
            share = self._share(conn)
            held = {row[0] for row in conn.execute(_RENEW, self._params)}
            kept = self._keep_share(conn, held, share, busy)
        self._renewed_at = time.monotonic()
        return kept

    def _keep_share(
        self, conn: psycopg.Connection[Any], held: set[str], share: int, first: Iterable[str]
    ) -> set[str]:
        """Give back the halls ``held`` beyond ``share``: those in ``first`` are kept first,
        in its order, then the others (sorted); returns the halls kept."""
        ordered = [t for t in dict.fromkeys(first) if t in held]
        ordered += sorted(held - set(ordered))
        for tenant_id in ordered[share:]:
            conn.execute(_RELEASE_ONE, {**self._params, "t": tenant_id})
        return set(ordered[:share])

    def _share(self, conn: psycopg.Connection[Any]) -> int:
        """Heartbeat, forget dead workers, and return the fair share: halls ÷ live workers."""
        conn.execute(_HEARTBEAT, self._params)
        conn.execute(_FORGET_DEAD, self._params)
        live = max(1, int(conn.execute(_LIVE_WORKERS, self._params).fetchone()[0]))  # type: ignore[index]
        halls = int(conn.execute(_HALLS).fetchone()[0])  # type: ignore[index]
        return max(1, math.ceil(halls / live))

    def release(self) -> None:
        """Give every lease back and leave (a clean stop hands the halls over at once)."""
        with self.pool.connection() as conn:
            conn.execute(_RELEASE, self._params)
            conn.execute(_LEAVE, self._params)
