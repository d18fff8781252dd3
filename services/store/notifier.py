"""Commit notifications (``NOTIFY yanshen_events '<tenant>:<position>'``), coalesced per process.

Consumers (projection workers, the relay, gateway subscriptions) sleep until a NOTIFY and poll
``tenant_heads`` as the fallback, so a notification is a wake-up call, not data: only the
newest position per hall matters. Sending one from every writer right after its commit cost a
second round trip and about a quarter of the writer's client CPU per append. Here the writer
only records ``(hall, position)``; one background thread per pool sends the newest position of
every hall that moved since its last statement, in one statement, at most every
:data:`MIN_INTERVAL` seconds. A lone writer's notification still leaves at once; under load
many commits share one statement.

A process that dies between a commit and the notifier's statement loses only the wake-up:
consumers find the moved head on their next poll.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
import weakref

from services.store.pool import Pool
from services.store.subscription import CHANNEL

__all__ = ["MIN_INTERVAL", "CommitNotifier", "notifier_for"]

MIN_INTERVAL = 0.01
"""Seconds between two NOTIFY statements of one process (latency bound of the coalescing)."""

NOTIFY_MANY = f"SELECT pg_notify('{CHANNEL}', payload) FROM unnest(%s::text[]) AS payload"

log = logging.getLogger(__name__)


class CommitNotifier:
    """Sends the newest committed position of each hall, coalesced, from one thread.

    A writer calls ``notifier_for(pool).committed("hall-1", 42)`` after its commit; tests and
    shutdown call :meth:`flush` to wait until what was recorded is sent.
    """

    def __init__(self, pool: Pool) -> None:
        self._pool = pool
        self._lock = threading.Lock()
        self._pending: dict[str, int] = {}
        self._sent: dict[str, int] = {}  # per hall, so a late writer never sends an older one
        self._wake = threading.Event()
        self._idle = threading.Condition(self._lock)
        self._sending = False
        self._thread: threading.Thread | None = None

    def committed(self, tenant_id: str, position: int) -> None:
        """Record that ``tenant_id``'s log reached ``position`` (returns at once)."""
        with self._lock:
            if position > max(self._pending.get(tenant_id, 0), self._sent.get(tenant_id, 0)):
                self._pending[tenant_id] = position
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="yanshen-notifier", daemon=True
                )
                self._thread.start()
        self._wake.set()

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every recorded position was sent; ``False`` after ``timeout``."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while self._pending or self._sending:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._thread is None or not self._thread.is_alive():
                    return False
                self._idle.wait(remaining)
        return True

    def _run(self) -> None:
        while not self._pool.closed:
            if not self._wake.wait(timeout=1.0):
                continue
            self._wake.clear()
            with self._lock:
                batch, self._pending = self._pending, {}
                self._sent.update(batch)
                self._sending = bool(batch)
            try:
                if batch:
                    self._send([f"{tenant}:{position}" for tenant, position in batch.items()])
            finally:
                with self._lock:
                    self._sending = False
                    self._idle.notify_all()
            time.sleep(MIN_INTERVAL)
        with self._lock:
            self._pending.clear()
            self._idle.notify_all()

    def _send(self, payloads: list[str]) -> None:
        try:
            with self._pool.connection() as conn:
                conn.execute(NOTIFY_MANY, (payloads,), prepare=True)
        except Exception:  # the wake-up is lost, not the data: consumers poll
            if not self._pool.closed:
                log.warning("NOTIFY of %d halls failed; consumers will poll", len(payloads))


_notifiers: weakref.WeakKeyDictionary[Pool, CommitNotifier] = weakref.WeakKeyDictionary()
_registry_lock = threading.Lock()


def notifier_for(pool: Pool) -> CommitNotifier:
    """The one notifier of ``pool`` (created on first use)."""
    with _registry_lock:
        notifier = _notifiers.get(pool)
        if notifier is None:
            notifier = _notifiers[pool] = CommitNotifier(pool)
        return notifier


@atexit.register
def _flush_all() -> None:
    """Send what is pending before the interpreter stops the daemon threads."""
    for notifier in list(_notifiers.values()):
        notifier.flush(timeout=1.0)
