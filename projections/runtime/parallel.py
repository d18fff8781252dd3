"""Halls rebuilt side by side in worker processes (``yanshen rebuild --jobs N``).

A rebuild is CPU-bound on both sides of the connection: the projections fold and decode in
Python, the database parses and inserts. Threads share one interpreter lock, so they gave
nothing; processes let the Python work of one hall run while the database works on another.

Halls are independent (their positions are per hall), so each process takes whole halls:
it opens its own one-connection pool as the worker role and runs the very batches
:meth:`~projections.runtime.rebuild.Rebuild` runs in-process
(:func:`catch_up_hall`). Every batch still commits its rows and positions together, so a
process that dies leaves committed batches only; the rebuild then fails and the next one
starts afresh.

Processes are *spawned*, not forked: the parent holds pool threads and open sockets that a
forked child must not touch.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.util
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from multiprocessing.synchronize import Event
from typing import Any

from projections.runtime.errors import HallRebuildError
from projections.runtime.tracking import Member, apply_group_batch
from services.store.pool import Pool, open_pool

__all__ = ["HallProcesses", "HallRebuildError", "catch_up_hall"]


OnBatch = Callable[[int], None]
"""``on_batch(covered)``: called after each committed batch."""


def catch_up_hall(
    pool: Pool,
    members: Sequence[Member],
    tenant_id: str,
    batch_size: int,
    on_batch: OnBatch | None = None,
    stopped: Callable[[], bool] | None = None,
) -> int:
    """Apply ``members``' batches of ``tenant_id`` (rebuild batches: no live locks) until the
    hall's head, or until ``stopped()`` says the rebuild gave up; returns the positions
    applied."""
    applied = 0
    while True:
        if stopped is not None and stopped():
            raise HallRebuildError(f"hall {tenant_id}: the rebuild stopped")
        try:
            with pool.connection() as conn, conn.transaction():
                result = apply_group_batch(
                    conn, members, tenant_id=tenant_id, limit=batch_size, live=False
                )
        except Exception as error:
            raise HallRebuildError(f"hall {tenant_id}: {type(error).__name__}: {error}") from error
        applied += result.covered
        if on_batch is not None:
            on_batch(result.covered)
        if result.covered < batch_size:
            return applied


# -- inside a worker process --------------------------------------------------------------

_process: dict[str, Any] = {}


def _start(conninfo: str, members: list[Member], stop: Event, parent: int) -> None:
    # Watch the parent first: it may be gone already (killed while this process started).
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()
    pool = _process["pool"] = open_pool(conninfo, "worker", min_size=1, max_size=1)
    # A pool process ends without running ``atexit``; its finalizers do run.
    multiprocessing.util.Finalize(None, pool.close, exitpriority=10)
    _process["members"] = members
    _process["stop"] = stop


def _exit_with(parent: int) -> None:
    """End this process (its open batch rolls back) once the rebuild's process ``parent`` is
    gone: a killed parent would otherwise leave it applying batches, then idle, for good.
    ``parent`` comes from the parent itself: a process that starts after its parent was
    killed has been reparented already, and ``os.getppid()`` would name its new parent."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _run_hall(tenant_id: str, batch_size: int) -> int:
    try:
        return catch_up_hall(
            _process["pool"],
            _process["members"],
            tenant_id,
            batch_size,
            stopped=_process["stop"].is_set,
        )
    except HallRebuildError as error:
        # Not every driver error survives pickling back to the parent; its text does.
        raise HallRebuildError(str(error)) from None


# -- in the rebuild's process -------------------------------------------------------------


class HallProcesses:
    """``jobs`` processes that catch halls up: started on first use, stopped by :meth:`close`
    (or at the end of a ``with`` block); :meth:`catch_up` yields ``(hall, positions applied)``
    as each hall finishes."""

    def __init__(self, conninfo: str, members: Sequence[Member], *, jobs: int) -> None:
        self.conninfo = conninfo
        self.members = list(members)
        self.jobs = jobs
        self._context = multiprocessing.get_context("spawn")
        self._stop = self._context.Event()
        """Set when the rebuild gives up: the processes stop after their current batch."""
        self._executor: ProcessPoolExecutor | None = None

    def catch_up(self, halls: Sequence[str], batch_size: int) -> Iterator[tuple[str, int]]:
        """Catch every hall up; yields ``(hall, positions applied)`` as each one finishes.
        The first failure is raised once the halls already running have finished."""
        executor = self._start()
        futures: dict[Future[int], str] = {
            executor.submit(_run_hall, tenant_id, batch_size): tenant_id for tenant_id in halls
        }
        try:
            for future in as_completed(futures):
                yield futures[future], future.result()
        finally:
            for future in futures:
                future.cancel()

    def _start(self) -> ProcessPoolExecutor:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                self.jobs,
                mp_context=self._context,
                initializer=_start,
                initargs=(self.conninfo, self.members, self._stop, os.getpid()),
            )
        return self._executor

    def close(self, *, cancel: bool = False) -> None:
        """Stop the processes: after the halls they are on (``cancel``: after their current
        batch; e.g. on Ctrl-C or SIGTERM, which an orchestrator follows with SIGKILL)."""
        if self._executor is not None:
            if cancel:
                self._stop.set()
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def __enter__(self) -> HallProcesses:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
