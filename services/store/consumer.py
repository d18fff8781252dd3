"""Platform-wide consumers of the halls' logs: projections and the stream relay.

A :class:`LogConsumer` processes each hall's new events in position order, one batch per
transaction that also locks and advances its position (``consumer_positions``): a batch
is applied exactly once, even if two workers ever held the same hall. :class:`ConsumerLoop`
runs consumers until stopped, woken by ``NOTIFY`` with polling as the fallback.
"""

from __future__ import annotations

import logging
import threading
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

import psycopg
from eventsourcing.persistence import Notification, PersistenceError
from prometheus_client import Counter, Gauge
from psycopg.conninfo import conninfo_to_dict

from services.store.backoff import Backoff
from services.store.consumers import pending_tenants, record_consumer_position
from services.store.leases import LeaseManager
from services.store.pool import Pool
from services.store.store import EventStore
from services.store.subscription import CHANNEL

__all__ = ["ConsumerLoop", "LogConsumer", "PositionLockedError", "lock_consumer_position"]

log = logging.getLogger(__name__)

LISTEN_CONNECT_TIMEOUT = 10
"""Seconds a loop waits to open its ``LISTEN`` connection (``connect_timeout`` in the
database URL wins); if that fails, it polls and retries later."""

EVENTS_CONSUMED = Counter("yanshen_consumer_events_total", "Events processed", ["consumer"])
CONSUMER_LAG = Gauge(
    "yanshen_consumer_lag_events", "Events a consumer is behind in a hall", ["consumer", "tenant"]
)
BATCH_FAILURES = Counter(
    "yanshen_consumer_batch_failures_total", "Batches rolled back", ["consumer"]
)

_ENSURE = """
INSERT INTO consumer_positions (consumer, tenant_id, position) VALUES (%s, %s, 0)
ON CONFLICT DO NOTHING
"""
_LOCK = """
SELECT position FROM consumer_positions WHERE consumer = %s AND tenant_id = %s FOR UPDATE
"""


class PositionLockedError(Exception):
    """Another session holds a position row of the hall (another worker's batch, perhaps
    of a frozen worker): the batch was not applied; try the hall again later."""

    def __init__(self, tenant_id: str) -> None:
        super().__init__(f"the positions of hall {tenant_id} are locked by another session")
        self.tenant_id = tenant_id


def lock_consumer_position(
    conn: psycopg.Connection[Any], consumer: str, tenant_id: str, *, wait: str | None = None
) -> int:
    """Lock ``consumer``'s position row for ``tenant_id`` in the current transaction.

    ``wait`` (e.g. ``"100ms"``) bounds the wait for a row another session holds:
    :class:`PositionLockedError` after it (the transaction is then aborted).
    """
    if wait is not None:
        was = conn.execute(_WAIT, (wait,)).fetchone()
    try:
        conn.execute(_ENSURE, (consumer, tenant_id))
        row = conn.execute(_LOCK, (consumer, tenant_id)).fetchone()
    except psycopg.errors.LockNotAvailable as error:
        raise PositionLockedError(tenant_id) from error
    if wait is not None and was is not None:  # the batch's own statements wait as before
        conn.execute("SELECT set_config('lock_timeout', %s, true)", (was[0],))
    assert row is not None
    return int(row[0])


_WAIT = "SELECT current_setting('lock_timeout'), set_config('lock_timeout', %s, true)"


_CONNECTION_GONE = ("08", "57P01", "57P02", "57P03")
"""SQLSTATEs of a lost connection: class 08, and the server shutting down or starting."""


def connection_lost(error: BaseException) -> bool:
    """Whether ``error`` means the database is gone (no connection, the server shutting
    down), not that one statement failed (psycopg counts many statement errors as
    operational too: 54000 program limit exceeded, 57014 query cancelled, 55P03 lock
    timeout). A psycopg error re-raised as the ``eventsourcing`` library's (as
    :mod:`services.store.errors` does, e.g. in :func:`pending_tenants`) counts by its cause."""
    if isinstance(error, PersistenceError) and isinstance(error.__cause__, psycopg.Error):
        error = error.__cause__
    if not isinstance(error, psycopg.OperationalError):
        return False
    return error.sqlstate is None or error.sqlstate.startswith(_CONNECTION_GONE)


class LogConsumer(ABC):
    """Processes every hall's log; subclasses implement :meth:`handle`."""

    consumer: str
    """Stable name: positions and leases are kept per (consumer, hall)."""
    position_wait = "100ms"
    """How long a batch waits for its hall's position row, which another session's batch
    holds (after a lease moved, the old holder's batch may still run, or hang if its worker
    froze): then the hall waits for the next round and the other halls go on."""

    def __init__(
        self,
        pool: Pool,
        *,
        batch_size: int = 500,
        lease_ttl: float = 10.0,
        worker_id: str | None = None,
    ) -> None:
        if batch_size < 1:  # a batch of no positions never reaches the head
            raise ValueError(f"batch_size must be at least 1, not {batch_size}")
        self.pool = pool
        self.store = EventStore(pool)
        self.batch_size = batch_size
        self.leases = LeaseManager(pool, self.consumer, ttl=lease_ttl, worker_id=worker_id)

    @abstractmethod
    def handle(
        self, conn: psycopg.Connection[Any], tenant_id: str, notifications: Sequence[Notification]
    ) -> None:
        """Process one batch inside the transaction that will record its position."""

    def catch_up(self) -> int:
        """Process everything pending in the halls this worker holds; returns events done."""
        pending = dict(pending_tenants(self.pool, self.consumer))
        done = 0
        for tenant_id in sorted(self.leases.claim(pending)):
            if tenant_id in pending:
                done += self._catch_up_hall(tenant_id, pending[tenant_id])
        return done

    def _catch_up_hall(self, tenant_id: str, head: int) -> int:
        done = 0
        while True:
            try:
                n, position = self._batch(tenant_id)
            except PositionLockedError:
                # Another session's batch of this hall (a frozen worker's?): not ours to wait for.
                log.info("%s: hall %s busy in another session", self.consumer, tenant_id)
                return done
            except Exception as error:
                # The batch rolled back; the hall is retried on the next round, other halls go on.
                BATCH_FAILURES.labels(self.consumer).inc()
                if self.ends_round(error):
                    raise
                log.exception("%s: batch of hall %s failed", self.consumer, tenant_id)
                return done
            done += n
            CONSUMER_LAG.labels(self.consumer, tenant_id).set(max(head - position, 0))
            if n < self.batch_size:
                return done
            held = self.leases.keep([tenant_id])
            if held is not None and tenant_id not in held:
                return done  # taken over (our lease had expired): the new holder goes on

    def ends_round(self, error: Exception) -> bool:
        """Whether a failed batch stops the whole round (the database is gone: no connection,
        the server shutting down) rather than only its hall (e.g. one event a handler cannot
        apply). psycopg counts statement errors as operational too (54000 program limit
        exceeded, 57014 query cancelled, 55P03 lock timeout): those stay the batch's own."""
        return connection_lost(error)

    def _batch(self, tenant_id: str) -> tuple[int, int]:
        with self.pool.connection() as conn, conn.transaction():
            position = lock_consumer_position(
                conn, self.consumer, tenant_id, wait=self.position_wait
            )
            notifications = self.store.recorder(tenant_id).select_notifications(
                start=position + 1, limit=self.batch_size
            )
            if notifications:
                self.handle(conn, tenant_id, notifications)
                position = notifications[-1].id
                record_consumer_position(conn, self.consumer, tenant_id, position)
                EVENTS_CONSUMED.labels(self.consumer).inc(len(notifications))
            return len(notifications), position

    def close(self) -> None:
        """Hand this worker's halls over at once (otherwise they move after the lease TTL)."""
        self.leases.release()


class ConsumerLoop:
    """Runs consumers until :meth:`stop`: catch up, then sleep until NOTIFY or the poll.

    The rounds run on the pool, the ``LISTEN`` on a connection of its own that only wakes
    them early: while it cannot be opened (e.g. ``max_connections`` reached) the rounds go
    on every ``poll_interval`` and ``LISTEN`` is retried with its own backoff.
    """

    def __init__(
        self, pool: Pool, consumers: Sequence[LogConsumer], *, poll_interval: float = 1.0
    ) -> None:
        self.pool = pool
        self.consumers = list(consumers)
        self.poll_interval = poll_interval
        self._stop = threading.Event()
        self._listener: psycopg.Connection[Any] | None = None
        self._round_retry = Backoff(initial=poll_interval)
        self._listen_retry = Backoff(initial=poll_interval)

    def run_once(self) -> int:
        return sum(c.catch_up() for c in self.consumers)

    def run_forever(self) -> None:
        """Runs rounds until :meth:`stop`. Survives a database restart, a lost ``LISTEN``
        connection and a failing round (a bug must not silently stop the read models or the
        relay while the rest of the process serves on): each is logged and retried."""
        try:
            while not self._stop.is_set():
                self._ensure_listening()
                if not self._round():
                    continue  # it paused already
                if any(getattr(c, "unfinished", False) for c in self.consumers):
                    continue  # a round cut short: go on without waiting for a commit
                self._wait_for_commit()
        finally:
            self._unlisten()
            self.close()

    def close(self) -> None:
        """Release every consumer's leases so other workers take the halls at once."""
        for consumer in self.consumers:
            try:
                consumer.close()
            except Exception:  # a dead database must not hide the original error
                log.warning("%s: could not release leases", consumer.consumer, exc_info=True)

    def stop(self) -> None:
        self._stop.set()

    def _round(self) -> bool:
        """One round; returns whether it succeeded. A failed round is logged and followed by
        a pause that doubles while rounds keep failing and resets after one succeeds."""
        try:
            self.run_once()
        except Exception as error:
            delay = self._round_retry.failed()
            if connection_lost(error):
                log.warning("database unavailable (%s); retrying in %.1fs", error, delay)
                self._discard_broken_connections()
            else:
                log.exception("consumer round failed; retrying in %.1fs", delay)
            self._stop.wait(delay)
            return False
        self._round_retry.succeeded()
        return True

    def _discard_broken_connections(self) -> None:
        """Replace the pool's idle connections that died with the one that failed (after
        ``pg_terminate_backend`` or a restart all did): otherwise each would fail a round
        of its own, and each failure doubles the pause."""
        try:
            self.pool.check()
        except Exception:  # e.g. the pool is closing: the next round finds out
            log.debug("could not check the pool's connections", exc_info=True)

    def _ensure_listening(self) -> None:
        """Open the ``LISTEN`` connection if it is down and its retry is due (before the
        round, so that no commit after the round goes unnoticed)."""
        if self._listener is not None or not self._listen_retry.ready():
            return
        try:
            self._listener = self._open_listener()
        except Exception as error:  # only the wake-up is lost: the rounds poll meanwhile
            delay = self._listen_retry.failed()
            log.warning(
                "cannot LISTEN (%s); polling every %.1fs, next try in %.1fs",
                error,
                self.poll_interval,
                delay,
            )
            return
        self._listen_retry.succeeded()

    def _open_listener(self) -> psycopg.Connection[Any]:
        """A connection of its own, outside the pool: it stays open between the rounds.

        It takes the pool's connection parameters (a worker pool's keepalives, so that a
        listener whose server vanished fails and is reopened rather than waiting silently),
        and gives up connecting after :data:`LISTEN_CONNECT_TIMEOUT` seconds unless the URL
        says otherwise: the rounds wait while it connects."""
        conninfo = self.pool.conninfo if isinstance(self.pool.conninfo, str) else ""
        params: dict[str, Any] = {"connect_timeout": LISTEN_CONNECT_TIMEOUT}
        params = {k: v for k, v in params.items() if k not in conninfo_to_dict(conninfo)}
        pool_params = self.pool.kwargs
        params.update(pool_params() if callable(pool_params) else pool_params or {})
        listener = psycopg.connect(conninfo, autocommit=True, **params)
        try:
            listener.execute(f"LISTEN {CHANNEL}")
        except BaseException:
            listener.close()
            raise
        return listener

    def _wait_for_commit(self) -> None:
        """Sleep until a NOTIFY or ``poll_interval`` (or :meth:`stop`, without a listener)."""
        if self._listener is None:
            self._stop.wait(self.poll_interval)
            return
        try:
            for _ in self._listener.notifies(timeout=self.poll_interval, stop_after=1):
                pass
        except Exception as error:  # reopened before the next round
            log.warning("LISTEN connection lost (%s); reconnecting", error)
            self._unlisten()

    def _unlisten(self) -> None:
        if self._listener is not None:
            self._listener.close()
            self._listener = None
