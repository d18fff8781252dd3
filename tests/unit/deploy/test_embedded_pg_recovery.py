"""What a start killed half-way leaves in the embedded PostgreSQL's data directory is
cleared, or refused with the directory's name and the remedy (no server needed here)."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

with warnings.catch_warnings():  # the library warns when XDG_RUNTIME_DIR is unset (harmless)
    warnings.simplefilter("ignore")
    from deploy.embedded_pg_recovery import (
        IncompleteDataDirError,
        initdb_marker,
        is_complete,
        recover,
    )


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def _complete_cluster(pgdata: Path) -> None:
    """The files :func:`is_complete` looks at, as a finished initdb leaves them."""
    for directory in ("global", "base/1", "base/4", "base/5"):
        (pgdata / directory).mkdir(parents=True)
    for name in ("PG_VERSION", "postgresql.conf", "global/pg_control"):
        (pgdata / name).write_text("18\n")


def test_a_pid_file_left_by_a_postmaster_killed_while_starting_is_removed(tmp_path):
    pgdata = tmp_path / "pg"
    _complete_cluster(pgdata)
    seven_lines = f"{_dead_pid()}\n{pgdata}\n1700000000\n5432\n/tmp\n\n  1 2\n"
    (pgdata / "postmaster.pid").write_text(seven_lines)
    recover(pgdata)
    assert not (pgdata / "postmaster.pid").exists()
    assert is_complete(pgdata)


def test_a_pid_file_whose_pid_is_another_program_is_removed(tmp_path):
    pgdata = tmp_path / "pg"
    _complete_cluster(pgdata)
    stranger = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        lines = [str(stranger.pid), str(pgdata), "1700000000", "5432", "/tmp", "", "1 2", "ready"]
        (pgdata / "postmaster.pid").write_text("\n".join(lines) + "\n")
        recover(pgdata)
        assert not (pgdata / "postmaster.pid").exists()
    finally:
        stranger.kill()
        stranger.wait()


def test_an_interrupted_initdb_of_ours_is_started_again(tmp_path):
    pgdata = tmp_path / "pg"
    pgdata.mkdir()
    (pgdata / "PG_VERSION").write_text("18\n")  # initdb writes it early
    (pgdata / "postmaster.pid").write_text(f"-{_dead_pid()}\n")  # its single-user backend
    initdb_marker(pgdata).write_text(json.dumps({"pid": _dead_pid(), "started": None}))
    recover(pgdata)
    assert not pgdata.exists(), "the half-made directory is removed for initdb to redo"
    assert json.loads(initdb_marker(pgdata).read_text())["pid"] > 0, "marked for this process"


def test_an_incomplete_data_directory_without_our_marker_is_refused_with_the_remedy(tmp_path):
    pgdata = tmp_path / "pg"
    pgdata.mkdir()
    (pgdata / "PG_VERSION").write_text("18\n")
    with pytest.raises(IncompleteDataDirError) as raised:
        recover(pgdata)
    assert str(pgdata) in str(raised.value)
    assert f"rm -rf {pgdata}" in str(raised.value)
    assert (pgdata / "PG_VERSION").exists(), "nothing is removed that is not provably ours"


def test_a_directory_that_is_no_data_directory_is_refused(tmp_path):
    pgdata = tmp_path / "pg"
    pgdata.mkdir()
    (pgdata / "notes.txt").write_text("mine")
    with pytest.raises(IncompleteDataDirError, match="not an empty directory"):
        recover(pgdata)
    assert (pgdata / "notes.txt").exists()


def test_a_fresh_directory_is_marked_before_initdb(tmp_path):
    pgdata = tmp_path / "pg"
    recover(pgdata)
    assert initdb_marker(pgdata).exists()
