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

The rebuild's own process takes halls too (``here``), from the same queue: with ``--jobs 2``
one process is spawned, not two. A spawned process first imports every projection and the
domain it reads (≈ 1 s of a core before its first batch); the rebuild's process has them
already and starts at once.

Processes are *spawned*, not forked: the parent holds pool threads and open sockets that a
forked child must not touch.
"""

from __future__ import annotations

import gc
import multiprocessing
import multiprocessing.util
import os
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from functools import partial
from multiprocessing.synchronize import Event
from typing import Any, NamedTuple

from projections.runtime.errors import HallRebuildError
from projections.runtime.tracking import Member, apply_group_batch
from services.store.pool import Pool, open_pool

__all__ = ["HallDone", "HallProcesses", "HallRebuildError", "Here", "catch_up_hall"]


OnBatch = Callable[[int], None]
"""``on_batch(covered)``: called after each committed batch."""

Here = Callable[[str, Callable[[], bool]], int]
"""``here(hall, stopped)``: catch ``hall`` up in the rebuild's own process (after each batch
it asks ``stopped()``); returns the positions applied."""


class HallDone(NamedTuple):
    """A hall caught up: by a spawned process, or ``here`` (whose batches its caller has
    counted already)."""

    tenant_id: str
    applied: int
    here: bool


@contextmanager
def no_cyclic_collection() -> Iterator[None]:
    """Run the block without Python's cyclic garbage collector (restored after it).

    A rebuild batch makes a few million short-lived objects (rows, events, dicts), and the
    collector would walk the young ones every 700 allocations and everything the process
    has loaded every so often: a sixth of a rebuild's Python time. Reference counting
    still frees each object when its last reference goes; the few cycles a batch leaves
    are collected once it is over.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


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
            with no_cyclic_collection(), pool.connection() as conn, conn.transaction():
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


class _HallQueue:
    """The halls still to do, handed to whichever worker asks first, and what became of
    each one (``done``: a process's future, ``here``'s count or error, or ``None`` when the
    thread takes no more)."""

    def __init__(self, halls: Sequence[str]) -> None:
        self.todo = deque(halls)
        self.done: queue.SimpleQueue[tuple[str, Future[int] | int | BaseException | None]]
        self.done = queue.SimpleQueue()
        self.halt = threading.Event()
        """A failure, or the caller gone: no more halls are handed out."""

    def take(self) -> str | None:
        try:
            return None if self.halt.is_set() else self.todo.popleft()
        except IndexError:
            return None

    def put_done(self, tenant_id: str, future: Future[int]) -> None:
        self.done.put((tenant_id, future))

    def work_here(self, here: Here) -> None:
        """Catch halls up with ``here`` until none is left, the queue halts or one fails."""
        while (tenant_id := self.take()) is not None:
            try:
                self.done.put((tenant_id, here(tenant_id, self.halt.is_set)))
            except BaseException as error:  # raised in the caller's thread
                self.done.put((tenant_id, error))
                return
        self.done.put(("", None))


class HallProcesses:
    """``jobs`` processes that catch halls up: started on first use, stopped by :meth:`close`
    (or at the end of a ``with`` block); :meth:`catch_up` yields a :class:`HallDone` as each
    hall finishes."""

    def __init__(self, conninfo: str, members: Sequence[Member], *, jobs: int) -> None:
        self.conninfo = conninfo
        self.members = list(members)
        self.jobs = jobs
        self._context = multiprocessing.get_context("spawn")
        self._stop = self._context.Event()
        """Set when the rebuild gives up: the processes stop after their current batch."""
        self._executor: ProcessPoolExecutor | None = None

    def catch_up(
        self, halls: Sequence[str], batch_size: int, *, here: Here | None = None
    ) -> Iterator[HallDone]:
        """Catch every hall up; yields a :class:`HallDone` as each one finishes. Halls go
        to whichever is free first: a process, or ``here`` (a thread of this process). The
        first failure is raised as soon as ``here`` has stopped after its current batch; the
        processes' halls still running are the caller's to stop (:meth:`close`)."""
        halls_left = _HallQueue(halls)
        running = 0

        def submit() -> None:
            nonlocal running
            if (tenant_id := halls_left.take()) is not None:
                future = self._start().submit(_run_hall, tenant_id, batch_size)
                future.add_done_callback(partial(halls_left.put_done, tenant_id))
                running += 1

        helper = threading.Thread(target=halls_left.work_here, args=(here,), daemon=True)
        if here is not None:
            helper.start()
            running += 1
        for _ in range(self.jobs):
            submit()
        try:
            while running:
                tenant_id, outcome = halls_left.done.get()
                running -= 1
                if isinstance(outcome, Future):
                    if (error := outcome.exception()) is None:
                        submit()  # the process's next hall, before the caller's turn
                        yield HallDone(tenant_id, outcome.result(), here=False)
                        continue
                    outcome = error
                if isinstance(outcome, BaseException):
                    raise outcome
                if outcome is not None:
                    running += 1  # the thread goes on with the next hall
                    yield HallDone(tenant_id, outcome, here=True)
        finally:
            halls_left.halt.set()
            if helper.is_alive():
                helper.join()

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
