"""系统默认评价 by the deadline scheduler, end to end with a fixed clock: invitations still
unrated when their 7 natural days are over are found in the ``evaluation_ratings`` read model
and recorded as ``RatingDefaulted`` (基本满意, by ``system``) by the evaluation service, once
each, from the default day on; the statistics follow (好评率, 未评率, 主动评价好评率).

Invited on 05-06 (Beijing), the rating period runs to 05-12; 05-13 is the default day.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from deploy.bootstrap import all_projections
from projections.evaluations import Dimension, due_default_ratings, rating_statistics
from projections.runtime import ProjectionWorker
from services.catalog import CatalogService
from services.catalog.application import ItemTerms
from services.evaluations import Evaluation, EvaluationService, Invitation, Rating
from services.halls import HallRegistry
from services.places import PlacesService
from services.scheduler import DeadlineScheduler, default_sources
from services.shared.working_days import CHINA_TZ
from services.staff import StaffService
from tests.integration.projections.support import Clock


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 5, 6, 10, tzinfo=CHINA_TZ))


def _project(platform) -> None:
    worker = ProjectionWorker(platform.worker_pool, all_projections())
    worker.run_once()
    worker.close()


def _service(platform, hall: str, clock: Clock) -> EvaluationService:
    platform.hall_app(HallRegistry, hall).register_hall(f"大厅 {hall}", "苏州", "op")
    catalog = platform.hall_app(CatalogService, hall)
    catalog.clock = clock
    item = ItemTerms(name="综合受理", category="OTHER")  # the rated item the visits name
    catalog.publish_service_item("ITEM-A", item, "admin")
    # and the window and staff member the visits name
    platform.hall_app(PlacesService, hall).configure_window(
        "W01", "综合窗口一", "COMPREHENSIVE", [], "admin"
    )
    platform.hall_app(StaffService, hall).onboard_staff(
        "S001", "员工一", "WINDOW_STAFF", [], "admin"
    )
    evaluations = platform.hall_app(EvaluationService, hall)
    evaluations.clock = clock
    return evaluations


def _invite(evaluations: EvaluationService, refs: list[str]) -> list:
    return [
        evaluations.invite_evaluation(
            Invitation("VISIT", ref, "OFFLINE", f"a-{ref}", "W01", "S001", "ITEM-A"), "S001"
        ).id
        for ref in refs
    ]


def _rate(evaluations: EvaluationService, evaluation_id, level: str, voluntary: bool) -> None:
    applicant = evaluations.get_evaluation(evaluation_id).applicant_id
    rating = Rating(level, {"OVERALL": 5}, voluntary=voluntary)
    evaluations.submit_rating(evaluation_id, rating, applicant)


def _defaults(evaluations: EvaluationService, evaluation_id) -> list:
    events = evaluations.repository.event_store.get(evaluation_id)
    return [e for e in events if isinstance(e, Evaluation.RatingDefaulted)]


def _due(conn, hall: str, today: date) -> list:
    """The hall's invitations the scheduler's query lists as due on ``today``."""
    return [d for d in due_default_ratings(conn, today) if d.tenant_id == hall]


def _hall_month(platform, hall: str):
    (row,) = rating_statistics(platform.app_pool, hall, Dimension.HALL)
    return row


def test_expired_unrated_invitations_default_once_from_day_8_and_count_in_the_good_rate(
    own_platform, clock
):
    """The reviewer's example: 2 × 非常满意 and 8 invitations left unrated give 好评率 20%
    (not 100%) once the scheduler has recorded their defaults."""
    hall = "eval-defaults-a"
    evaluations = _service(own_platform, hall, clock)
    ids = _invite(evaluations, [f"T{n:02}" for n in range(1, 11)])
    rated, unrated = ids[:2], ids[2:]
    clock.set(5, 7)
    for evaluation_id in rated:
        _rate(evaluations, evaluation_id, "VERY_SATISFIED", voluntary=True)
    _project(own_platform)
    scheduler = DeadlineScheduler(
        own_platform.worker_pool, own_platform.hall_app, default_sources(), clock=clock
    )
    # The service's own clock is not the scheduler's: the scheduler's `now` decides.
    evaluations.clock = lambda: datetime(2026, 5, 1, tzinfo=CHINA_TZ)

    clock.set(5, 12, 23)  # the period's last day (day 7): still open
    report = scheduler.run_once()
    assert report.by_source["evaluations"] == 0
    assert not any(_defaults(evaluations, i) for i in ids)

    clock.set(5, 13, 0)  # day 8, just after midnight in Beijing
    report = scheduler.run_once()
    assert report.by_source["evaluations"] == 8
    for evaluation_id in unrated:
        (default,) = _defaults(evaluations, evaluation_id)
        assert (default.level, default.actor) == ("BASIC", "system")
        assert default.timestamp == clock.now  # the scheduler's now, not the service's clock
    assert not any(_defaults(evaluations, i) for i in rated)

    # Before the read model caught up it still lists them: nothing is recorded twice.
    report = scheduler.run_once()
    assert report.by_source["evaluations"] == 0
    assert report.unchanged >= 8
    _project(own_platform)
    with own_platform.worker_pool.connection() as conn:
        assert [
            d for d in due_default_ratings(conn, date(2026, 5, 13)) if d.tenant_id == hall
        ] == []
    clock.set(5, 20)
    assert scheduler.run_once().by_source["evaluations"] == 0
    assert all(len(_defaults(evaluations, i)) == 1 for i in unrated)

    stats = _hall_month(own_platform, hall)
    c = stats.counts
    assert (c.month, c.invited, c.pending, c.closed, c.defaulted, c.rated) == (
        "2026-05",
        10,
        0,
        10,
        8,
        10,
    )
    assert (c.very_satisfied, c.basic, c.voluntary, c.voluntary_good) == (2, 8, 2, 2)
    assert stats.good_rate == 2 / 10
    assert stats.unrated_rate == 8 / 10
    assert stats.voluntary_good_rate == 1.0


def test_unrated_rate_leaves_out_invitations_still_in_their_rating_period(own_platform, clock):
    """The reviewer's example: mid-month, 40 of 100 invitations still within their 7 days
    are not 40% 未评率; they count once their period has ended."""
    hall = "eval-defaults-b"
    evaluations = _service(own_platform, hall, clock)
    clock.set(5, 4)
    early = _invite(evaluations, [f"E{n:02}" for n in range(60)])
    clock.set(5, 5)
    for n, evaluation_id in enumerate(early):
        if n < 30:
            _rate(evaluations, evaluation_id, "VERY_SATISFIED", voluntary=True)
        elif n < 50:
            _rate(evaluations, evaluation_id, "SATISFIED", voluntary=False)
        else:
            _rate(evaluations, evaluation_id, "BASIC", voluntary=True)
    clock.set(5, 12)
    recent = _invite(evaluations, [f"R{n:02}" for n in range(40)])  # default day 05-19
    _project(own_platform)
    scheduler = DeadlineScheduler(
        own_platform.worker_pool, own_platform.hall_app, default_sources(), clock=clock
    )

    clock.set(5, 15)
    assert scheduler.run_once().by_source["evaluations"] == 0
    _project(own_platform)
    stats = _hall_month(own_platform, hall)
    c = stats.counts
    assert (c.invited, c.pending, c.closed, c.defaulted, c.rated) == (100, 40, 60, 0, 60)
    assert stats.unrated_rate == 0.0  # not 40 / 100: those 40 may still be rated
    assert stats.good_rate == 50 / 60
    assert (c.voluntary, c.voluntary_good) == (40, 30)
    assert stats.voluntary_good_rate == 30 / 40  # 主动评价好评率; 好评率 of all is 50 / 60
    assert stats.voluntary_rate == 40 / 60

    clock.set(5, 19)
    assert scheduler.run_once().by_source["evaluations"] == 40
    _project(own_platform)
    stats = _hall_month(own_platform, hall)
    c = stats.counts
    assert (c.invited, c.pending, c.closed, c.defaulted, c.rated) == (100, 0, 100, 40, 100)
    assert stats.unrated_rate == 40 / 100
    assert stats.good_rate == 50 / 100
    assert stats.voluntary_good_rate == 30 / 40
    assert all(len(_defaults(evaluations, i)) == 1 for i in recent)
    assert not any(_defaults(evaluations, i) for i in early)


def test_every_due_default_is_found_however_many_there_are(own_platform, clock):
    hall = "eval-defaults-c"
    evaluations = _service(own_platform, hall, clock)
    invited = set(_invite(evaluations, ["P1", "P2", "P3", "P4", "P5"]))
    clock.set(5, 7)
    _rate(evaluations, next(iter(invited)), "SATISFIED", voluntary=True)
    _project(own_platform)
    with own_platform.worker_pool.connection() as conn:
        assert [
            d for d in due_default_ratings(conn, date(2026, 5, 12)) if d.tenant_id == hall
        ] == []
        due = due_default_ratings(conn, date(2026, 5, 13), page=2)
    ids = [d.evaluation_id for d in due if d.tenant_id == hall]
    assert len(ids) == 4 == len(set(ids))  # four unrated, read two at a time
    assert set(ids) < invited
    assert {d.default_on for d in due if d.tenant_id == hall} == {date(2026, 5, 13)}
    assert due == sorted(due, key=lambda d: (d.default_on, d.tenant_id, str(d.evaluation_id)))
