"""好差评: invitations, one rating per visit or matter, defaults, 追评, appeals, and the
process policy that every bad rating opens a rectification in the same save."""

from __future__ import annotations

from datetime import date

import pytest

from services.evaluations import (
    AppealStateError,
    Evaluation,
    EvaluationExistsError,
    EvaluationNotFoundError,
    EvaluationStatus,
    Invitation,
    NotTheRaterError,
    Rating,
    RatingAlreadySubmittedError,
    RatingLevel,
    RatingNotDueError,
    RatingPeriodOverError,
    RatingStateError,
)
from services.evaluations.policies import rectification_id_for
from services.halls import HallPolicies, HallRegistry
from services.rectifications import RectificationSource, RectificationStatus
from services.shared import ValidationError

VISIT = Invitation(
    subject_kind="VISIT",
    subject_ref="T-20260506-A001",
    channel="OFFLINE",
    applicant_id="a-1",
    window_code="W01",
    staff_badge="S001",
    item_code="BDB-001",
)
GOOD = Rating(level="VERY_SATISFIED", scores={"OVERALL": 5, "ATTITUDE": 5}, comment="很好")
BAD = Rating(level="DISSATISFIED", scores={"OVERALL": 2, "EFFICIENCY": 1}, comment="等太久")


def _matter(ref: str, applicant: str = "a-1") -> Invitation:
    return Invitation(
        subject_kind="MATTER", subject_ref=ref, channel="ONLINE", applicant_id=applicant
    )


def test_an_invitation_records_when_the_default_applies(evaluations):
    e = evaluations.invite_evaluation(VISIT, "S001").evaluation
    assert (e.status, e.default_on) == (EvaluationStatus.INVITED, date(2026, 5, 13))
    invited = next(iter(evaluations.repository.event_store.get(e.id)))
    assert invited.default_on == "2026-05-13"
    assert e.id == evaluations.evaluation_id("VISIT", "T-20260506-A001")


def test_the_unrated_period_is_the_halls_policy(hall_apps, hall, evaluations):
    hall_apps(HallRegistry, hall).change_policies(HallPolicies(unrated_default_days=15), "admin")
    invited = evaluations.invite_evaluation(VISIT, "S001")
    assert invited.evaluation.default_on == date(2026, 5, 21)


def test_a_good_rating_is_recorded_alone(evaluations):
    e = evaluations.invite_evaluation(VISIT, "S001")
    before = evaluations.recorder.max_notification_id()
    e = evaluations.submit_rating(e.id, GOOD, "a-1")
    assert evaluations.recorder.max_notification_id() == before + 1
    assert (e.status, e.level, e.scores, e.voluntary) == (
        EvaluationStatus.RATED,
        RatingLevel.VERY_SATISFIED,
        {"OVERALL": 5, "ATTITUDE": 5},
        True,
    )
    assert evaluations.get_or_none(rectification_id_for(e)) is None


@pytest.mark.parametrize("level", ["DISSATISFIED", "VERY_DISSATISFIED"])
def test_a_bad_rating_opens_a_rectification_in_the_same_save(evaluations, rectifications, level):
    e = evaluations.invite_evaluation(VISIT, "S001")
    before = evaluations.recorder.max_notification_id()
    e = evaluations.submit_rating(e.id, Rating(level=level, scores={}, voluntary=False), "a-1")
    assert evaluations.recorder.max_notification_id() == before + 2
    r = rectifications.get_rectification(rectification_id_for(e))
    assert (r.source, r.source_id, r.status) == (
        RectificationSource.BAD_RATING,
        str(e.id),
        RectificationStatus.OPEN,
    )
    assert (r.applicant_id, r.window_code, r.staff_badge) == ("a-1", "W01", "S001")
    assert r.verification_due_on == date(2026, 5, 7)  # 1 working day
    opened = next(iter(rectifications.repository.event_store.get(r.id)))
    assert opened.actor == "system"


@pytest.mark.parametrize(
    ("rated_on", "verify_by"),
    [
        (date(2026, 5, 15), date(2026, 5, 18)),  # Friday → Monday
        (date(2026, 5, 8), date(2026, 5, 9)),  # Friday → Saturday, a 调休 working day
        (date(2026, 4, 30), date(2026, 5, 6)),  # over the Labour Day holidays
    ],
)
def test_the_verification_call_is_due_in_working_days(
    evaluations, rectifications, clock, rated_on, verify_by
):
    clock.set(rated_on.year, rated_on.month, rated_on.day)
    e = evaluations.invite_evaluation(VISIT, "S001")
    e = evaluations.submit_rating(e.id, BAD, "a-1")
    r = rectifications.get_rectification(rectification_id_for(e))
    assert r.verification_due_on == verify_by


def test_a_visit_is_rated_once(evaluations):
    e = evaluations.invite_evaluation(VISIT, "S001")
    evaluations.submit_rating(e.id, GOOD, "a-1")
    before = evaluations.recorder.max_notification_id()
    with pytest.raises(RatingAlreadySubmittedError) as raised:
        evaluations.submit_rating(e.id, BAD, "a-1")
    assert raised.value.code == "CONFLICT"
    assert evaluations.recorder.max_notification_id() == before


def test_a_visit_is_invited_once(evaluations):
    evaluations.invite_evaluation(VISIT, "S001")
    with pytest.raises(EvaluationExistsError):
        evaluations.invite_evaluation(VISIT, "S001")


def test_only_the_applicant_served_may_rate(evaluations):
    e = evaluations.invite_evaluation(VISIT, "S001")
    with pytest.raises(NotTheRaterError) as raised:
        evaluations.submit_rating(e.id, BAD, "a-2")
    assert raised.value.code == "FORBIDDEN"


def test_without_a_known_applicant_the_rater_is_recorded(evaluations):
    invited = evaluations.invite_evaluation(_matter("M-1", applicant=""), "system")
    rating = Rating(level="SATISFIED", scores={})
    e = evaluations.submit_rating(invited.id, rating, "a-9", rating_code=invited.rating_code)
    assert e.rater_id == "a-9"
    submitted = list(evaluations.repository.event_store.get(e.id))[-1]
    assert submitted.applicant_id == "a-9"


@pytest.mark.parametrize(
    "rating",
    [
        Rating(level="GREAT", scores={}),
        Rating(level="SATISFIED", scores={"GUIDE_ACCURACY": 5}),  # an online indicator
        Rating(level="SATISFIED", scores={"SPEED": 5}),
        Rating(level="SATISFIED", scores={"OVERALL": 0}),
        Rating(level="SATISFIED", scores={"OVERALL": 6}),
        Rating(level="SATISFIED", scores={}, comment="x" * 501),
    ],
)
def test_invalid_ratings_are_refused(evaluations, rating):
    e = evaluations.invite_evaluation(VISIT, "S001")
    before = evaluations.recorder.max_notification_id()
    with pytest.raises(ValidationError):
        evaluations.submit_rating(e.id, rating, "a-1")
    assert evaluations.recorder.max_notification_id() == before


def test_online_matters_have_the_online_indicators(evaluations):
    e = evaluations.invite_evaluation(_matter("M-1"), "system")
    scores = {
        "OVERALL": 4,
        "EFFICIENCY": 4,
        "GUIDE_ACCURACY": 5,
        "CONVENIENCE": 3,
        "EASE_OF_USE": 4,
    }
    assert evaluations.submit_rating(e.id, Rating("SATISFIED", scores), "a-1").scores == scores
    e = evaluations.invite_evaluation(_matter("M-2"), "system")
    with pytest.raises(ValidationError):
        evaluations.submit_rating(e.id, Rating("SATISFIED", {"ATTITUDE": 5}), "a-1")


@pytest.mark.parametrize(
    "invitation",
    [
        Invitation(subject_kind="TRIP", subject_ref="T-1", channel="OFFLINE"),
        Invitation(subject_kind="VISIT", subject_ref="", channel="OFFLINE"),
        Invitation(subject_kind="VISIT", subject_ref="T 1", channel="OFFLINE"),
        Invitation(subject_kind="VISIT", subject_ref="T-1", channel="PIGEON"),
        Invitation(subject_kind="VISIT", subject_ref="T-1", channel="OFFLINE", window_code="W 1"),
        Invitation(subject_kind="VISIT", subject_ref="T-1", channel="OFFLINE", staff_badge="S_1"),
        Invitation(subject_kind="VISIT", subject_ref="T-1", channel="OFFLINE", item_code="?"),
        Invitation(subject_kind="VISIT", subject_ref="T-1", channel="OFFLINE", applicant_id="a b"),
    ],
)
def test_invalid_invitations_are_refused(evaluations, invitation):
    before = evaluations.recorder.max_notification_id()
    with pytest.raises(ValidationError):
        evaluations.invite_evaluation(invitation, "S001")
    assert evaluations.recorder.max_notification_id() == before


def test_unrated_after_the_period_the_visit_defaults_to_basic(evaluations, clock):
    e = evaluations.invite_evaluation(VISIT, "S001")
    with pytest.raises(RatingNotDueError):
        evaluations.apply_default_rating(e.id)
    clock.set(2026, 5, 12, 23)
    assert evaluations.apply_default_ratings() == 0
    clock.set(2026, 5, 13, 0)
    before = evaluations.recorder.max_notification_id()
    with pytest.raises(RatingPeriodOverError):
        evaluations.submit_rating(e.id, GOOD, "a-1")
    assert evaluations.recorder.max_notification_id() == before
    e = evaluations.apply_default_rating(e.id)
    assert (e.status, e.level) == (EvaluationStatus.DEFAULTED, RatingLevel.BASIC)
    defaulted = list(evaluations.repository.event_store.get(e.id))[-1]
    assert isinstance(defaulted, Evaluation.RatingDefaulted)
    assert (defaulted.level, defaulted.actor) == ("BASIC", "system")
    with pytest.raises(RatingAlreadySubmittedError):
        evaluations.submit_rating(e.id, GOOD, "a-1")
    with pytest.raises(RatingAlreadySubmittedError):
        evaluations.apply_default_rating(e.id)


def test_the_scheduler_defaults_every_due_invitation_once(evaluations, clock):
    first = evaluations.invite_evaluation(VISIT, "S001")
    rated = evaluations.invite_evaluation(_matter("M-1"), "system")
    evaluations.submit_rating(rated.id, Rating("SATISFIED", {}), "a-1")
    clock.set(2026, 5, 10)
    later = evaluations.invite_evaluation(_matter("M-2"), "system")
    assert evaluations.apply_default_ratings(clock.now.replace(day=13)) == 1
    assert evaluations.get_evaluation(first.id).status is EvaluationStatus.DEFAULTED
    assert evaluations.get_evaluation(later.id).status is EvaluationStatus.INVITED
    assert evaluations.apply_default_ratings(clock.now.replace(day=13)) == 0
    clock.set(2026, 5, 17)
    assert evaluations.apply_default_ratings() == 1
    assert evaluations.get_evaluation(rated.id).status is EvaluationStatus.RATED


def test_the_rater_appends_once(evaluations):
    e = evaluations.invite_evaluation(VISIT, "S001")
    with pytest.raises(RatingStateError):
        evaluations.append_rating(e.id, "补充", "a-1")
    evaluations.submit_rating(e.id, BAD, "a-1")
    with pytest.raises(NotTheRaterError):
        evaluations.append_rating(e.id, "补充", "a-2")
    e = evaluations.append_rating(e.id, "后来问题解决了", "a-1")
    assert e.appended
    assert e.level is RatingLevel.DISSATISFIED
    before = evaluations.recorder.max_notification_id()
    with pytest.raises(RatingStateError):
        evaluations.append_rating(e.id, "再补充", "a-1")
    assert evaluations.recorder.max_notification_id() == before


def test_a_default_rating_cannot_be_appended_to_or_appealed(evaluations, clock):
    e = evaluations.invite_evaluation(VISIT, "S001")
    clock.set(2026, 6, 1)
    evaluations.apply_default_ratings()
    with pytest.raises(RatingStateError):
        evaluations.append_rating(e.id, "补充", "a-1")
    with pytest.raises(AppealStateError):
        evaluations.appeal_rating(e.id, "MISTAKEN", "x", "S001")


def test_an_upheld_appeal_excludes_the_rating_but_keeps_it_in_history(evaluations):
    e = evaluations.invite_evaluation(VISIT, "S001")
    evaluations.submit_rating(e.id, BAD, "a-1")
    assert evaluations.get_evaluation(e.id).is_bad
    e = evaluations.appeal_rating(e.id, "MALICIOUS", "评价内容与服务无关", "S001")
    assert e.appeal_pending
    e = evaluations.exclude_rating(e.id, "经核实为恶意差评", "sup-1")
    assert (e.excluded, e.appeal_pending, e.level, e.is_bad) == (
        True,
        False,
        RatingLevel.DISSATISFIED,
        False,
    )
    names = [type(x).__name__ for x in evaluations.repository.event_store.get(e.id)]
    assert names == ["Invited", "RatingSubmitted", "RatingAppealed", "RatingExcluded"]
    with pytest.raises(AppealStateError):
        evaluations.appeal_rating(e.id, "MISTAKEN", "again", "S001")
    with pytest.raises(AppealStateError):
        evaluations.exclude_rating(e.id, "again", "sup-1")


def test_a_rejected_appeal_leaves_the_rating_counting(evaluations):
    e = evaluations.invite_evaluation(VISIT, "S001")
    evaluations.submit_rating(e.id, BAD, "a-1")
    with pytest.raises(AppealStateError):
        evaluations.reject_rating_appeal(e.id, "no appeal yet", "sup-1")
    evaluations.appeal_rating(e.id, "MISTAKEN", "评错窗口", "S001")
    e = evaluations.reject_rating_appeal(e.id, "评价属实", "sup-1")
    assert (e.excluded, e.appeal_pending, e.is_bad) == (False, False, True)
    with pytest.raises(AppealStateError):
        evaluations.appeal_rating(e.id, "MISTAKEN", "again", "S001")


@pytest.mark.parametrize(
    ("reason", "explanation"), [("BORED", "x"), ("MISTAKEN", " "), ("MISTAKEN", "x" * 2001)]
)
def test_an_invalid_appeal_is_refused(evaluations, reason, explanation):
    e = evaluations.invite_evaluation(VISIT, "S001")
    evaluations.submit_rating(e.id, BAD, "a-1")
    with pytest.raises(ValidationError):
        evaluations.appeal_rating(e.id, reason, explanation, "S001")


def test_an_invitation_cannot_be_appealed(evaluations):
    e = evaluations.invite_evaluation(VISIT, "S001")
    with pytest.raises(AppealStateError):
        evaluations.appeal_rating(e.id, "MISTAKEN", "x", "S001")


def _stamps(app, record_id) -> list:
    return [e.timestamp for e in app.repository.event_store.get(record_id)]


def test_event_timestamps_come_from_the_injected_clock(evaluations, rectifications, clock):
    """Every event is stamped with the application's clock at its command, not the wall
    clock: the statistics' month and the ledger's times follow the events' timestamps."""
    moments = [clock.now]

    def later(hours: float):
        clock.advance(hours=hours)
        moments.append(clock.now)

    e = evaluations.invite_evaluation(VISIT, "S001").evaluation
    later(2)
    evaluations.submit_rating(e.id, BAD, "a-1")
    later(3)
    evaluations.append_rating(e.id, "后来问题解决了", "a-1")
    later(4)
    evaluations.appeal_rating(e.id, "MALICIOUS", "评价内容与服务无关", "S001")
    later(5)
    evaluations.exclude_rating(e.id, "经核实为恶意差评", "sup-1")
    assert _stamps(evaluations, e.id) == moments
    # opened with the rating, withdrawn with the exclusion (撤销)
    assert _stamps(rectifications, rectification_id_for(e)) == [moments[1], moments[4]]

    other = evaluations.invite_evaluation(_matter("M-1"), "system")
    evaluations.submit_rating(other.id, BAD, "a-1")
    evaluations.appeal_rating(other.id, "MISTAKEN", "评错窗口", "S001")
    clock.advance(hours=1)
    evaluations.reject_rating_appeal(other.id, "评价属实", "sup-1")
    assert _stamps(evaluations, other.id)[-1] == clock.now


def test_a_default_rating_is_stamped_with_the_moment_it_is_applied_at(evaluations, clock):
    """The deadline scheduler passes its own ``now``: the default carries it, whatever the
    service's clock says; without ``now`` (hall admins) the service's clock stamps it."""
    by_scheduler = evaluations.invite_evaluation(VISIT, "S001")
    by_admin = evaluations.invite_evaluation(_matter("M-1"), "system")
    scheduler_now = clock.now.replace(day=13, hour=0, minute=5)
    evaluations.apply_default_rating(by_scheduler.id, now=scheduler_now)
    assert _stamps(evaluations, by_scheduler.id)[-1] == scheduler_now
    clock.set(2026, 5, 20)
    assert evaluations.apply_default_ratings() == 1
    assert _stamps(evaluations, by_admin.id)[-1] == clock.now


def test_another_halls_evaluation_is_not_found(hall_apps, evaluations):
    from services.evaluations import EvaluationService

    e = evaluations.invite_evaluation(VISIT, "S001")
    hall_apps(HallRegistry, "h2").register_hall("二号大厅", "", "op")
    with pytest.raises(EvaluationNotFoundError) as raised:
        hall_apps(EvaluationService, "h2").submit_rating(e.id, GOOD, "a-1")
    assert raised.value.code == "NOT_FOUND"
