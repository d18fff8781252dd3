"""The processes that run without a gateway serve their metrics on
``YANSHEN_METRICS_PORT``: the scheduler and the relay, like the projection worker (they
served none, so their counters were invisible to operators)."""

from __future__ import annotations

import socket

import httpx
import pytest

from tests.integration.projections.support import WorkerProcess, wait_until


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _scrape(port: int) -> str | None:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=1).text
    except httpx.HTTPError:
        return None


@pytest.mark.parametrize(
    ("command", "env", "expected"),
    [
        (
            ("schedule", "--interval", "0.2"),
            {},
            ["yanshen_overdue_recorded_total{source=", "yanshen_holiday_schedule_missing_year "],
        ),
        (
            ("relay",),  # a broker nobody listens on: the relay backs off and keeps serving
            {"KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1"},
            ["# TYPE yanshen_relay_events_total counter", "yanshen_relay_hall_held"],
        ),
    ],
    ids=["schedule", "relay"],
)
def test_a_standalone_process_serves_its_metrics(db_url, command, env, expected):
    port = _free_port()
    process = WorkerProcess(
        db_url, f"metrics-{command[0]}", command=command, YANSHEN_METRICS_PORT=str(port), **env
    ).start()
    try:
        # the scheduler's series appear after its first round
        wait_until(
            lambda: all(e in (_scrape(port) or "") for e in expected), 30, "the metrics served"
        )
    finally:
        process.stop()
    assert process.process is not None
    assert process.process.returncode == 0  # stopped cleanly by SIGTERM
