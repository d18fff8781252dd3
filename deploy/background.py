"""The workers ``yanshen run`` and ``serve`` run beside the gateway, each in a thread.

A worker retries a lost database and failing rounds by itself; its thread ends only when it
is stopped, or on a bug or a startup error (e.g. its metrics port is taken). A worker that
ended without :meth:`BackgroundWorkers.stop` is *failed*: readiness says so (``/ready``
503, naming it) and the process is told to exit (``on_failure``), non-zero, so that its
supervisor (systemd, Docker's restart policy, Kubernetes) starts it again instead of a
gateway serving read models that no longer move.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

__all__ = ["BackgroundWorkers", "Runnable"]

log = logging.getLogger("yanshen")


class Runnable(Protocol):
    """A worker: :meth:`run_forever` until :meth:`stop` (projection worker, relay, scheduler)."""

    def run_forever(self) -> None: ...

    def stop(self) -> None: ...


class BackgroundWorkers:
    """The process's background workers, their threads and whether one has failed."""

    def __init__(self, on_failure: Callable[[str], None] = lambda name: None) -> None:
        self.on_failure = on_failure
        """Called (from the failed worker's thread) with the name of a worker that ended
        without being stopped."""
        self._workers: list[tuple[str, Runnable, threading.Thread]] = []
        self._stopping = threading.Event()
        self._failed: list[str] = []

    def start(self, name: str, worker: Runnable) -> None:
        """Run ``worker`` in a daemon thread called ``name``."""
        thread = threading.Thread(target=self._run, args=(name, worker), name=name, daemon=True)
        self._workers.append((name, worker, thread))
        thread.start()

    def _run(self, name: str, worker: Runnable) -> None:
        try:
            worker.run_forever()
        except BaseException:
            if not self._stopping.is_set():
                log.exception("%s failed", name)
        if self._stopping.is_set():
            return
        self._failed.append(name)
        log.error("%s stopped unexpectedly; the process stops (its supervisor restarts it)", name)
        self.on_failure(name)

    @property
    def failed(self) -> list[str]:
        """The workers that ended without being stopped."""
        return list(self._failed)

    def problem(self) -> str | None:
        """Why the process is not ready (a failed worker), or ``None``."""
        if not self._failed:
            return None
        return f"background worker stopped: {', '.join(self._failed)}"

    def stop(self) -> None:
        """Ask every worker to stop (returns at once; see :meth:`join`)."""
        self._stopping.set()
        for _, worker, _ in self._workers:
            worker.stop()

    def join(self, timeout: float) -> list[str]:
        """Wait up to ``timeout`` seconds in all for the workers; returns those still running
        (e.g. waiting for a connection from a database that is down)."""
        deadline = time.monotonic() + timeout
        for _, _, thread in self._workers:
            thread.join(max(0.0, deadline - time.monotonic()))
        return [name for name, _, thread in self._workers if thread.is_alive()]
