"""``yanshen run`` (what ``make run`` starts) on the embedded PostgreSQL, as a new user would.

Starts the real command in a fresh data directory, reads the demo hall's catalog over
HTTP, stops it with Ctrl-C (SIGINT), then starts it again on the same data.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

CATALOG = '{ serviceCatalog(hallId: "demo") { code category } }'


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(data_dir: Path, port: int, log: Path, **variables: str) -> subprocess.Popen[bytes]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS", "YANSHEN_JWT_SECRET"}
    }
    env.update(YANSHEN_DATA_DIR=str(data_dir), YANSHEN_PORT=str(port), **variables)
    return subprocess.Popen(
        [sys.executable, "-m", "deploy.cli", "run"],
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def _wait_for_catalog(port: int, process: subprocess.Popen[bytes], log: Path) -> list:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"yanshen run exited with {process.returncode}:\n{log.read_text()}")
        try:
            r = httpx.post(f"http://127.0.0.1:{port}/graphql", json={"query": CATALOG}, timeout=5)
            items = r.json()["data"]["serviceCatalog"]
            if len(items) == 3:
                return items
        except (httpx.HTTPError, KeyError, TypeError, ValueError):
            pass
        time.sleep(0.5)
    pytest.fail(f"the demo catalog did not appear within 90 s:\n{log.read_text()}")


def _interrupt(process: subprocess.Popen[bytes], log: Path) -> None:
    process.send_signal(signal.SIGINT)
    try:
        assert process.wait(timeout=30) == 0, log.read_text()
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail(f"yanshen run did not stop on Ctrl-C:\n{log.read_text()}")


def _postgres_running(data_dir: Path) -> bool:
    pid_file = data_dir / "pg" / "postmaster.pid"
    if not pid_file.exists():
        return False
    pid = int(pid_file.read_text().split()[0])
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _postgres_of(data_dir: Path) -> list[int]:
    """Every PostgreSQL process serving ``data_dir`` (whatever its pid file says)."""
    import psutil

    pgdata = str((data_dir / "pg").resolve())
    found = []
    for process in psutil.process_iter(["name", "cmdline"]):
        if process.info["name"] == "postgres" and pgdata in (process.info["cmdline"] or []):
            found.append(process.pid)
    return found


def test_run_serves_the_demo_hall_stops_on_ctrl_c_and_keeps_its_data(tmp_path_factory):
    data_dir = Path(".data") / f"e2e-run-{os.getpid()}-{time.monotonic_ns()}"
    data_dir.mkdir(parents=True)
    os.chmod(data_dir, 0o755)
    log = tmp_path_factory.mktemp("run") / "run.log"
    port = _free_port()
    try:
        process = _start(data_dir, port, log)
        items = _wait_for_catalog(port, process, log)
        assert {i["category"] for i in items} == {
            "ASSISTANCE",
            "HOTLINE_CONSULTATION",
            "REGISTERED_ADDRESS",
        }
        assert "dev-token --role hall_admin --tenant demo" in log.read_text()
        # a GET's variables (a rating code, personal data) never reach the log
        secret = "RATINGCODE-SECRET-42"
        variables = f'{{"h": "demo", "x": "{secret}"}}'
        query = "query($h: String!) { serviceCatalog(hallId: $h) { code } }"
        r = httpx.get(
            f"http://127.0.0.1:{port}/graphql", params={"query": query, "variables": variables}
        )
        assert r.status_code == 200
        _interrupt(process, log)
        assert not _postgres_running(data_dir), "the embedded PostgreSQL outlived Ctrl-C"
        assert secret not in log.read_text()

        process = _start(data_dir, port, log)
        assert len(_wait_for_catalog(port, process, log)) == 3
        assert "demo hall ready (0 record(s) created)" in log.read_text()
        _interrupt(process, log)
    finally:
        if process.poll() is None:
            process.kill()
        import shutil

        shutil.rmtree(data_dir, ignore_errors=True)


def _attached_user(data_dir: Path) -> subprocess.Popen[bytes]:
    """Another process on the same embedded server (as a CLI command is), once attached."""
    code = (
        "import sys, time; from pathlib import Path; from deploy.embedded_pg import "
        "EmbeddedPostgres; EmbeddedPostgres(Path(sys.argv[1]) / 'pg').start(); "
        "print('attached', flush=True); time.sleep(600)"
    )
    user = subprocess.Popen([sys.executable, "-c", code, str(data_dir)], stdout=subprocess.PIPE)
    assert user.stdout is not None
    assert user.stdout.readline() == b"attached\n"
    return user


def test_ctrl_c_stops_the_server_although_another_user_was_killed(tmp_path_factory):
    data_dir = Path(".data") / f"e2e-run-killed-{os.getpid()}-{time.monotonic_ns()}"
    data_dir.mkdir(parents=True)
    os.chmod(data_dir, 0o755)
    log = tmp_path_factory.mktemp("run") / "run.log"
    port = _free_port()
    try:
        process = _start(data_dir, port, log)
        _wait_for_catalog(port, process, log)
        user = _attached_user(data_dir)
        user.kill()  # kill -9: it never detaches, its pid stays listed
        user.wait()
        _interrupt(process, log)
        assert not _postgres_running(data_dir), "the embedded PostgreSQL outlived Ctrl-C"
    finally:
        if process.poll() is None:
            process.kill()
        if _postgres_running(data_dir):  # do not leave it running under a removed directory
            os.kill(int((data_dir / "pg" / "postmaster.pid").read_text().split()[0]), 15)
            time.sleep(2)
        import shutil

        shutil.rmtree(data_dir, ignore_errors=True)


def test_sigterm_stops_the_workers_the_server_and_postgres_like_ctrl_c(tmp_path_factory):
    """``docker stop`` and systemd send SIGTERM: every shutdown step runs, as on Ctrl-C. On
    the way: the deadline scheduler runs in ``run``, and a second ``run`` on the same port
    says so in one line and exits 2 before touching anything."""
    data_dir = Path(".data") / f"e2e-run-term-{os.getpid()}-{time.monotonic_ns()}"
    data_dir.mkdir(parents=True)
    os.chmod(data_dir, 0o755)
    logs = tmp_path_factory.mktemp("run")
    log, second_log = logs / "run.log", logs / "second.log"
    port = _free_port()
    process = _start(data_dir, port, log, YANSHEN_SCHEDULE_INTERVAL="7")
    try:
        _wait_for_catalog(port, process, log)
        assert "deadline scheduler: a round every 7 s" in log.read_text()

        second = _start(data_dir / "other", port, second_log)
        assert second.wait(timeout=60) == 2, second_log.read_text()
        said = second_log.read_text()
        assert f"cannot listen on 127.0.0.1:{port}" in said
        assert "YANSHEN_PORT" in said
        assert "serving GraphQL" not in said, "the banner came before the port was bound"
        assert len(said.strip().splitlines()) == 1, said

        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0, log.read_text()
        text = log.read_text()
        assert "SIGTERM: stopping" in text
        assert re.search(r"\bstopped\s+\[yanshen\]", text), text
        assert _postgres_of(data_dir) == [], "the embedded PostgreSQL outlived SIGTERM"
    finally:
        if process.poll() is None:
            process.kill()
        for pid in _postgres_of(data_dir):  # do not leave it running under a removed directory
            os.kill(pid, signal.SIGTERM)
        import shutil

        shutil.rmtree(data_dir, ignore_errors=True)
