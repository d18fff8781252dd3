"""What a process killed while the embedded PostgreSQL started leaves behind, cleared.

Called by :mod:`deploy.embedded_pg` under the library's inter-process lock, before the
library looks at the data directory:

* a ``postmaster.pid`` whose postmaster is gone (killed while starting: the file has 7
  lines, and the library asserts 8; or its pid now belongs to another process, which the
  library takes for the server) is removed, so that the server starts afresh;
* a data directory whose ``initdb`` never finished is removed and initialised again when a
  process of ours started that ``initdb`` (its marker, :func:`initdb_marker`, names it and
  it is gone); without the marker it is refused with :class:`IncompleteDataDirError`, which
  names the directory and what to do.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from pathlib import Path

import psutil

from deploy.embedded_pg import IncompleteDataDirError
from deploy.embedded_pg_handles import HANDLES, STARTED, is_alive, start_time

__all__ = [
    "IncompleteDataDirError",
    "clear_initdb_marker",
    "initdb_marker",
    "is_complete",
    "mark_initdb",
    "recover",
]

log = logging.getLogger(__name__)

PID_LINES = 8
"""Lines of a ``postmaster.pid`` once the server is ready (the library asserts as many)."""
STARTING_SECONDS = 30.0
"""How long a live postmaster of the directory may take to finish writing its pid file."""


def initdb_marker(pgdata: Path) -> Path:
    """Beside the data directory (``initdb`` wants the directory itself empty): the process
    that is initialising it, while it does."""
    return pgdata.with_name(f"{pgdata.name}.initdb.json")


def is_complete(pgdata: Path) -> bool:
    """Whether ``initdb`` finished in ``pgdata``: its last steps create the ``template0``
    database (OID 4 since PostgreSQL 15), then ``postgres`` (5, which may be dropped later:
    any other database says the cluster was in use)."""
    base = pgdata / "base"
    if not all(
        (pgdata / name).exists()
        for name in ("PG_VERSION", "postgresql.conf", "global/pg_control", "base/1", "base/4")
    ):
        return False
    return any(entry.name not in {"1", "4"} for entry in base.iterdir())


def mark_initdb(pgdata: Path) -> None:
    """Record that this process is about to initialise ``pgdata`` (under the lock)."""
    pid = os.getpid()
    initdb_marker(pgdata).write_text(json.dumps({"pid": pid, "started": start_time(pid)}))


def clear_initdb_marker(pgdata: Path) -> None:
    """The server of ``pgdata`` is up: no ``initdb`` is pending any more (under the lock)."""
    initdb_marker(pgdata).unlink(missing_ok=True)


def _marker_owner_alive(marker: Path) -> bool:
    try:
        found = json.loads(marker.read_text())
        pid, started = int(found["pid"]), found.get("started")
    except (OSError, ValueError, KeyError, TypeError):
        return False  # unreadable: written by a process killed while writing it
    return is_alive(pid, None if started is None else float(started))


def _postmaster(pgdata: Path, pid: int) -> psutil.Process | None:
    """The live postmaster of ``pgdata`` with pid ``pid``, or ``None``."""
    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE or process.name() != "postgres":
            return None
        if str(pgdata) in process.cmdline() or Path(process.cwd()) == pgdata:
            return process
        return None
    except psutil.NoSuchProcess:
        return None
    except psutil.AccessDenied:
        return psutil.Process(pid)  # not ours to inspect: leaving it is the safe side


def _read_pid_file(pid_file: Path) -> tuple[int | None, int]:
    """The pid and the number of lines of ``postmaster.pid`` (``None``: none readable)."""
    try:
        lines = pid_file.read_text().splitlines()
    except FileNotFoundError:
        return None, 0
    try:
        pid = abs(int(lines[0].strip()))  # negative: a single-user backend (initdb runs one)
    except (IndexError, ValueError):
        return None, len(lines)
    return pid or None, len(lines)


def _clear_stale_pid_file(pgdata: Path) -> None:
    pid_file = pgdata / "postmaster.pid"
    deadline = time.monotonic() + STARTING_SECONDS
    while True:
        pid, lines = _read_pid_file(pid_file)
        if not pid_file.exists():
            return
        if pid is None or _postmaster(pgdata, pid) is None:
            log.warning(
                "removing %s: its PostgreSQL (pid %s) is gone (killed while starting?)",
                pid_file,
                pid,
            )
            pid_file.unlink(missing_ok=True)
            return
        if lines >= PID_LINES:
            return  # a running server: the library attaches to it
        if time.monotonic() > deadline:
            raise IncompleteDataDirError(
                f"PostgreSQL (pid {pid}) of {pgdata} has not finished starting after "
                f"{STARTING_SECONDS:.0f} s; see {pgdata / 'log'}, or stop it (kill {pid})"
            )
        time.sleep(0.2)  # its postmaster, orphaned while starting, is finishing


def recover(pgdata: Path) -> None:
    """Clear what a killed start left in ``pgdata`` (call under the library's lock)."""
    marker = initdb_marker(pgdata)
    if marker.exists() and not _marker_owner_alive(marker):
        if (pgdata / "postmaster.pid").exists():
            _clear_stale_pid_file(pgdata)
        if (pgdata / "postmaster.pid").exists():
            clear_initdb_marker(pgdata)  # its server runs: the initdb had finished
        else:
            # The process that ran this initdb died before its server was up, so nothing but
            # initdb's own files is there: initialise again.
            log.warning("removing %s: its initdb was interrupted; initialising again", pgdata)
            shutil.rmtree(pgdata, ignore_errors=True)
            clear_initdb_marker(pgdata)
    if not (pgdata / "PG_VERSION").exists():
        if pgdata.exists() and any(p.name not in {HANDLES, STARTED} for p in pgdata.iterdir()):
            raise IncompleteDataDirError(
                f"{pgdata} is not an empty directory nor a PostgreSQL data directory "
                "(no PG_VERSION): move it away or remove it, then start again"
            )
        mark_initdb(pgdata)  # the library initialises it next
        return
    if not is_complete(pgdata):
        raise IncompleteDataDirError(
            f"{pgdata} is an incomplete PostgreSQL data directory (an initdb was "
            f"interrupted): remove it (rm -rf {pgdata}) and start again; it holds no data"
        )
    _clear_stale_pid_file(pgdata)
