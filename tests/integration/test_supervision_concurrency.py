"""Racing ranking publications on the real PostgreSQL store: several gateway processes (each
its own SupervisionService) publish neighbouring monthly window rankings at once. Each
publication records its month in the hall's window ranking series in the same atomic save,
so the losers conflict, are tried again and see the other months: a window ranked last two
months running is always called to an interview (约谈), once per second month.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from deploy.bootstrap import Platform
from services.halls import HallRegistry
from services.places import PlacesService
from services.store.pool import Pool
from services.supervision import Interview, SupervisionService, WindowRankingSeries
from tests.fixtures.races import at_once, in_new_process
from tests.fixtures.races import meanwhile as _meanwhile

NOW = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
"""Monday 2 November 2026, 10:00 in Beijing: every command's time."""
PROCESSES = 4


def _all_at_once(command: Callable[[int], Any]) -> list[Any]:
    """``command(i)`` in :data:`PROCESSES` threads released together."""
    return at_once(command, PROCESSES)


MONTHS = ("2026-07", "2026-08", "2026-09", "2026-10")
SCORES = {"W01": 99.0, "W02": 90.0, "W03": 80.0}
"""W03 last every month."""


@pytest.fixture
def hall(platform: Platform, tenant_id: str) -> str:
    """A hall with windows W01-W03 and their window assessments of July-October, scored."""
    platform.hall_app(HallRegistry, tenant_id).register_hall("考核并发大厅", "苏州", "op")
    places = platform.hall_app(PlacesService, tenant_id)
    for code in SCORES:
        places.configure_window(code, f"窗口{code}", "COMPREHENSIVE", [], "admin")
    supervision = platform.hall_app(SupervisionService, tenant_id)
    for period in MONTHS:
        a = supervision.open_assessment(period, "WINDOW", "好评率", "sup")
        for code, score in SCORES.items():
            supervision.record_assessment_score(a.id, code, score, "", "sup")
    return tenant_id


@pytest.fixture
def process(app_pool: Pool, hall: str) -> Callable[[], SupervisionService]:
    """``process()``: the hall's SupervisionService of a new gateway process (its own store)."""

    def make() -> SupervisionService:
        return in_new_process(app_pool, SupervisionService, hall, NOW)

    return make


def _interviews(app: SupervisionService) -> list[str]:
    """The second months of the ranking interviews recorded, W03's (once each)."""
    return [
        period
        for period in MONTHS
        if app.get_or_none(Interview.ranking_interview_id(app.hall_id, "W03", period))
    ]


def test_a_month_published_while_its_neighbour_reads_it_still_calls_the_interview(hall, process):
    mine, other = process(), process()
    august, september = (mine.assessment_id("WINDOW", p) for p in ("2026-08", "2026-09"))
    _meanwhile(mine, august, lambda: other.publish_ranking(august, "sup-2"))
    mine.publish_ranking(september, "sup-1")
    fresh = process()
    assert _interviews(fresh) == ["2026-09"]
    series = fresh.repository.get(WindowRankingSeries.create_id(hall))
    assert sorted(series.months) == ["2026-08", "2026-09"]


def test_neighbouring_months_published_at_once_call_every_interview_once(hall, process):
    apps = [process() for _ in range(PROCESSES)]
    outcomes = _all_at_once(
        lambda i: apps[i].publish_ranking(apps[i].assessment_id("WINDOW", MONTHS[i]), "sup")
    )
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    fresh = process()
    assert _interviews(fresh) == list(MONTHS[1:])
    series = fresh.repository.get(WindowRankingSeries.create_id(hall))
    assert sorted(series.months) == list(MONTHS)
    scheduled = [
        n.originator_id
        for n in fresh.recorder.select_notifications(start=1, limit=10_000)
        if n.topic.endswith("Interview.Scheduled")
    ]
    assert len(scheduled) == len(set(scheduled)) == len(MONTHS) - 1
