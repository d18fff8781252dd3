"""Operations: health, readiness, Prometheus metrics, structured JSON logs."""

from __future__ import annotations

import gc
import io
import json
import logging
import re
import time

import httpx
import psycopg
import pytest
import structlog

from deploy.logging import configure_logging
from gateway.app import GC_THRESHOLDS
from gateway.auth import Role
from tests.e2e.gateway.conftest import PUBLISH


def _metric(text: str, name: str, **labels: str) -> float | None:
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line.split(" ")[0]))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return None


def test_health_and_readiness(gateway_url):
    assert httpx.get(f"{gateway_url}/health").json() == {"status": "ok"}
    assert httpx.get(f"{gateway_url}/ready").json() == {"status": "ready"}


def test_the_serving_process_runs_with_the_tuned_collector(gateway_url):
    """Startup froze what existed and raised the thresholds (no full-heap stalls per board)."""
    assert httpx.get(f"{gateway_url}/health").status_code == 200
    assert gc.get_threshold() == GC_THRESHOLDS
    assert gc.get_freeze_count() > 10_000  # the schema and libraries, out of the collector's way


def test_metrics_have_request_rate_latency_errors_and_projection_lag(
    gateway_url, gql, token, hall, project
):
    project()
    admin = token(Role.HALL_ADMIN, hall)
    for code in ("M1", "M2", "M3"):
        gql(PUBLISH, {"code": code, "name": "x"}, token=admin)
    gql(PUBLISH, {"code": "M1", "name": "x"}, token=admin)  # a CONFLICT
    r = httpx.get(f"{gateway_url}/metrics")
    assert r.headers["content-type"].startswith("text/plain")
    text = r.text
    assert _metric(
        text, "yanshen_http_requests_total", path="/graphql", method="POST", status="200"
    )
    assert _metric(text, "yanshen_http_request_duration_seconds_bucket", path="/graphql", le="+Inf")
    assert _metric(
        text, "yanshen_graphql_operations_total", type="mutation", field="publishServiceItem"
    )
    assert _metric(
        text,
        "yanshen_graphql_operation_duration_seconds_count",
        type="mutation",
        field="publishServiceItem",
    )
    assert _metric(text, "yanshen_graphql_errors_total", code="CONFLICT")
    # Three events not yet projected in this hall: the catalog read model lags by at least 3.
    lag = _metric(text, "yanshen_projection_lag_events", consumer="projection:catalog")
    assert lag is not None
    assert lag >= 3
    assert _metric(text, "yanshen_projection_lag_max_events", consumer="projection:catalog")
    # … and so does this hall, per hall, measured from the database whichever worker holds it.
    hall_lag = _metric(
        text, "yanshen_projection_hall_lag_events", consumer="projection:catalog", tenant=hall
    )
    assert hall_lag is not None
    assert hall_lag >= 3
    project()
    text = httpx.get(f"{gateway_url}/metrics").text
    assert (
        _metric(
            text, "yanshen_projection_hall_lag_events", consumer="projection:catalog", tenant=hall
        )
        == 0
    )


def test_positions_left_by_a_killed_rebuild_are_no_lag(gateway_url, database_url, hall, project):
    project()
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO consumer_positions (consumer, tenant_id, position)"
            " VALUES ('projection:catalog@rebuild', %s, 0)",
            (hall,),
        )
    try:
        text = httpx.get(f"{gateway_url}/metrics").text
    finally:
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("DELETE FROM consumer_positions WHERE consumer LIKE '%@rebuild'")
    assert "@rebuild" not in text
    assert (
        _metric(
            text, "yanshen_projection_hall_lag_events", consumer="projection:catalog", tenant=hall
        )
        == 0
    )


def test_unknown_paths_never_become_metric_labels(gateway_url):
    for n in range(3):
        assert httpx.get(f"{gateway_url}/no-such-path-{n}").status_code == 404
    text = httpx.get(f"{gateway_url}/metrics").text
    assert "no-such-path" not in text


def test_unknown_operation_names_never_become_metric_labels(gateway_url, gql):
    gql("query Whatever123 { __typename }")
    text = httpx.get(f"{gateway_url}/metrics").text
    assert "Whatever123" not in text


@pytest.fixture
def json_logs():
    """The process's JSON log lines (deploy.logging's format), restored afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    configure_logging(json_output=True)
    buffer = io.StringIO()
    root.handlers[0].setStream(buffer)  # type: ignore[attr-defined]

    def lines() -> list[dict[str, object]]:
        return [json.loads(x) for x in buffer.getvalue().splitlines() if x.startswith("{")]

    yield lines
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.reset_defaults()


def test_log_lines_carry_request_id_tenant_and_operation(gql, token, hall, json_logs):
    gql(
        "query Mine { hall { hallId } }",
        token=token(Role.STAFF, hall, subject="s-77"),
        headers={"X-Request-Id": "req-log-1"},
    )
    deadline = time.monotonic() + 2  # the line is written once the response went out
    while not (lines := [x for x in json_logs() if x.get("request_id") == "req-log-1"]):
        assert time.monotonic() < deadline, "no log line for the request"
        time.sleep(0.02)
    line = lines[-1]
    assert line["tenant"] == hall
    assert line["subject"] == "s-77"
    assert line["role"] == "staff"
    assert line["operation"] == "query hall"
    assert line["operation_name"] == "Mine"
    assert line["status"] == 200
    assert line["path"] == "/graphql"
    assert isinstance(line["ms"], float)
    assert line["level"] == "info"
