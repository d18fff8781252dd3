"""The platform overview (operators): halls, activity per context and day, projection lag per
hall (as a read model query and as the Prometheus gauge), deadline counts."""

from __future__ import annotations

from datetime import timedelta
from functools import singledispatchmethod
from typing import Any

import pytest
from prometheus_client import REGISTRY

from deploy.bootstrap import all_projections
from projections.catalog import CatalogProjection
from projections.platform import (
    daily_activity,
    deadline_counts,
    hall_activity,
    hall_overview,
    hall_overviews,
    projection_lag,
)
from projections.runtime import Projection, ProjectionWorker
from services.catalog.domain import ServiceItem
from services.shared.working_days import local_date
from tests.integration.projections.support import drive, heads, make_halls, wait_until

HALLS = ["ov-a", "ov-b"]
NAMES = sorted(p.name for p in all_projections())


@pytest.fixture(scope="module")
def halls(own_platform):
    made = make_halls(own_platform, HALLS)
    drive(made, 40)
    for hall in made:
        hall.rate()  # at least one rating each
    worker = ProjectionWorker(own_platform.worker_pool, all_projections())
    worker.run_once()
    worker.close()
    return made


def _lag(consumer: str, hall: str) -> float | None:
    return REGISTRY.get_sample_value(
        "yanshen_consumer_lag_events", {"consumer": consumer, "tenant": hall}
    )


def test_the_overview_lists_every_hall_with_its_events_and_no_lag(db_url, own_platform, halls):
    head = heads(db_url)
    rows = hall_overviews(own_platform.worker_pool)
    assert [r.tenant_id for r in rows] == HALLS
    for row in rows:
        assert (row.name, row.region) == (f"大厅 {row.tenant_id}", "苏州")
        assert row.events == head[row.tenant_id]
        assert row.max_lag == 0
        assert row.last_event_at is not None
        assert row.registered_at is not None
    # A hall's own overview, read with the app role (row-level security: its hall only).
    assert hall_overview(own_platform.app_pool, "ov-a") == rows[0]


def test_activity_counts_every_event_once_per_context_and_day(db_url, own_platform, halls):
    head = heads(db_url)
    for hall in HALLS:
        activity = {a.context: a.events for a in hall_activity(own_platform.app_pool, hall)}
        assert activity["halls"] == 1
        assert activity["catalog"] >= 5
        assert activity["evaluations"] >= 2
        assert sum(activity.values()) == head[hall]
        today = local_date(hall_activity(own_platform.app_pool, hall)[0].last_event_at)
        days = daily_activity(own_platform.app_pool, hall, today - timedelta(days=1))
        assert sum(d.events for d in days) == head[hall]
    assert hall_activity(own_platform.app_pool, "ov-nobody") == []


def test_lag_per_projection_and_hall_follows_the_log(db_url, own_platform, halls):
    lags = projection_lag(own_platform.worker_pool)
    assert sorted({(lag.projection, lag.tenant_id) for lag in lags}) == [
        (name, hall) for name in NAMES for hall in HALLS
    ]
    assert {lag.lag for lag in lags} == {0}
    for name in NAMES:
        assert _lag(f"projection:{name}", "ov-a") == 0
    for _ in range(3):
        halls[0].publish()  # three events nobody has projected yet
    behind = projection_lag(own_platform.app_pool, "ov-a")  # the hall's own view of it
    assert {(lag.projection, lag.lag) for lag in behind} == {(name, 3) for name in NAMES}
    assert hall_overview(own_platform.worker_pool, "ov-a").max_lag == 3
    worker = ProjectionWorker(own_platform.worker_pool, all_projections())
    worker.run_once()
    worker.close()
    assert {lag.lag for lag in projection_lag(own_platform.worker_pool, "ov-a")} == {0}


class _FailsOnRevisions(Projection):
    """Fails on every revision: the hall's lag must show it (other halls go on)."""

    name = "fails_on_revisions"

    @singledispatchmethod
    def apply(self, event: Any, conn: Any, tenant_id: str, position: int) -> None:
        """Nothing."""

    @apply.register
    def _(self, event: ServiceItem.Revised, conn: Any, tenant_id: str, position: int) -> None:
        raise RuntimeError("cannot apply a revision")


def test_a_hall_stuck_on_an_event_shows_its_lag_as_a_metric(db_url, own_platform, halls):
    worker = ProjectionWorker(own_platform.worker_pool, [_FailsOnRevisions()], batch_size=1)
    worker.run_once()
    worker.close()
    head = heads(db_url)
    for lag in projection_lag(own_platform.worker_pool, projections=["fails_on_revisions"]):
        assert 0 < lag.lag < head[lag.tenant_id]  # stopped at its first revision
        assert _lag("projection:fails_on_revisions", lag.tenant_id) == lag.lag


def test_deadline_counts_show_open_rectifications_per_hall(own_platform, halls):
    counts = {(c.tenant_id, c.context): c for c in deadline_counts(own_platform.worker_pool)}
    opened = [hall for hall in halls if hall.rectifications]
    assert opened
    for hall in opened:
        assert counts[(hall.hall_id, "rectifications")].open >= 1
        assert counts[(hall.hall_id, "rectifications")].overdue == 0


class _Fresh(Projection):
    """A read model added later: it starts at position 0 while the others are current."""

    name = "fresh_counter"

    def topics(self) -> frozenset[str] | None:
        return frozenset()


def test_a_broken_or_new_read_model_does_not_hold_the_others_back(db_url, own_platform, halls):
    for _ in range(3):
        halls[1].publish()
    group = [CatalogProjection(), _FailsOnRevisions(), _Fresh()]
    worker = ProjectionWorker(own_platform.worker_pool, group, batch_size=4)
    for _ in range(30):  # rounds: the new one catches up alone, the broken one stays stuck
        worker.run_once()
    worker.close()
    head = heads(db_url)
    lag = {(r.projection, r.tenant_id): r.lag for r in projection_lag(own_platform.worker_pool)}
    for hall in HALLS:
        assert lag[("catalog", hall)] == 0
        assert lag[("fresh_counter", hall)] == 0
        assert 0 < lag[("fails_on_revisions", hall)] < head[hall]


class _Turns(Projection):
    """A read model added later that notes which hall each of its batches was for."""

    name = "turns_counter"

    def __init__(self) -> None:
        self.halls: list[str] = []

    def topics(self) -> frozenset[str] | None:
        return frozenset()

    def apply_batch(self, conn: Any, batch: Any) -> None:
        self.halls.append(batch.tenant_id)


def test_halls_take_turns_so_a_long_backlog_does_not_hold_back_the_others(own_platform, halls):
    turns = _Turns()
    worker = ProjectionWorker(own_platform.worker_pool, [turns], batch_size=4)
    worker.run_once()  # one round: both halls from position 0, ten batches or more each
    worker.close()
    assert len(turns.halls) >= 20
    assert turns.halls[:10] == HALLS * 5


class _TooLongInOneHall(Projection):
    """A statement error psycopg classes as operational (54000), in hall ov-a only."""

    name = "too_long"

    def topics(self) -> frozenset[str] | None:
        return frozenset()

    def apply_batch(self, conn: Any, batch: Any) -> None:
        if batch.tenant_id == "ov-a":
            conn.execute("SELECT repeat('x', 1073741824)")  # requested length too large


def test_a_statement_error_of_one_read_model_is_its_own_not_a_lost_database(
    db_url, own_platform, halls
):
    worker = ProjectionWorker(own_platform.worker_pool, [CatalogProjection(), _TooLongInOneHall()])
    for _ in range(3):
        worker.run_once()  # the round goes on: no "database unavailable"
    worker.close()
    head = heads(db_url)
    lag = {(r.projection, r.tenant_id): r.lag for r in projection_lag(own_platform.worker_pool)}
    assert lag[("catalog", "ov-a")] == lag[("catalog", "ov-b")] == 0
    assert lag[("too_long", "ov-b")] == 0
    assert lag[("too_long", "ov-a")] == head["ov-a"]


def test_a_live_round_stops_after_its_time_and_the_next_one_goes_on(own_platform, halls):
    turns = _Turns()
    turns.name = "turns_rounds"
    worker = ProjectionWorker(own_platform.worker_pool, [turns], batch_size=4)
    worker.group.round_seconds = 0.0  # one pass over the halls per round
    worker.run_once()
    assert turns.halls == HALLS  # a batch each, then the round ended with work left
    assert worker.group.unfinished
    rounds = 1
    while worker.group.unfinished:
        worker.run_once()
        rounds += 1
    worker.close()
    assert rounds >= 10
    assert len(turns.halls) >= 20


def test_a_worker_serves_its_lag_on_the_metrics_port(own_platform, halls):
    import socket
    import threading

    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    worker = ProjectionWorker(
        own_platform.worker_pool, all_projections(), poll_interval=0.1, metrics_port=port
    )
    thread = threading.Thread(target=worker.run_forever, daemon=True)
    thread.start()
    try:
        wait_until(lambda: _served(port), 10, "the metrics endpoint answers")
        text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
        assert 'yanshen_consumer_lag_events{consumer="projection:catalog",tenant="ov-a"}' in text
    finally:
        worker.stop()
        thread.join(timeout=10)


def test_a_taken_metrics_port_is_named_and_the_command_exits_2(monkeypatch, db_url, halls):
    import socket

    from typer.testing import CliRunner

    from deploy.cli import app

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        monkeypatch.setenv("DATABASE_URL", db_url)
        monkeypatch.setenv("YANSHEN_METRICS_PORT", str(port))
        result = CliRunner().invoke(app, ["project"])
    assert result.exit_code == 2
    assert f"YANSHEN_METRICS_PORT {port}" in result.output + str(result.stderr_bytes or b"")


def _served(port: int) -> bool:
    import httpx

    try:
        return httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False
