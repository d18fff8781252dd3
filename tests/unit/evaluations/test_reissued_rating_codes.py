"""补发评价码: staff reissue the one-time rating code of an open invitation without an
applicant id whose code was lost (the evaluator screen failed, the receipt did not print,
the response never arrived). The new code rates, the old one is refused like a wrong code;
the event keeps only the new code's hash, with who reissued it and when. An invitation that
names its applicant, is rated, defaulted or excluded, or whose period is over, keeps its state
(``CONFLICT``, nothing recorded)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from contracts import to_payload, validate_payload
from services.evaluations import (
    Evaluation,
    EvaluationNotFoundError,
    EvaluationStatus,
    Invitation,
    RatingAlreadySubmittedError,
    RatingCodeError,
    RatingCodeNotReissuableError,
    RatingPeriodOverError,
)
from services.evaluations.application import EvaluationService, Rating
from services.evaluations.codes import RATING_CODE, rating_code_hash
from services.halls import HallRegistry
from services.shared import ValidationError
from tests.unit.evaluations.test_rating_codes import _stored_v1_invitation

KIOSK = Invitation("VISIT", "ZH:2026-05-06:1", "OFFLINE", window_code="W01", staff_badge="S001")
NAMED = Invitation("VISIT", "ZH:2026-05-06:2", "OFFLINE", applicant_id="a-1", window_code="W01")
GOOD = Rating("SATISFIED", {"OVERALL": 4})
BAD = Rating("VERY_DISSATISFIED", {"OVERALL": 1}, "态度差")


def _refused(app: EvaluationService, error: type[Exception], act) -> Exception:
    """``act`` raises ``error`` and records nothing."""
    before = app.recorder.max_notification_id()
    with pytest.raises(error) as raised:
        act()
    assert app.recorder.max_notification_id() == before
    return raised.value


# -- the aggregate ------------------------------------------------------------------------


def _anonymous(code: str = "A" * 16) -> Evaluation:
    return Evaluation.invite(
        hall_id="h1",
        subject_kind="VISIT",
        subject_ref="T-1",
        channel="OFFLINE",
        applicant_id="",
        window_code="W01",
        staff_badge="S001",
        item_code="",
        rating_code=code,
        now=datetime(2026, 5, 6, 2, tzinfo=UTC),
        unrated_default_days=7,
        actor="system",
    )


def test_the_aggregate_replaces_the_code_hash_and_records_who_and_when():
    e = _anonymous()
    at = datetime(2026, 5, 7, 2, tzinfo=UTC)
    e.reissue_rating_code("B" * 16, now=at, actor="S002")
    assert e.rating_code_hash == rating_code_hash(e.id, "B" * 16)
    reissued = e.collect_events()[-1]
    assert isinstance(reissued, Evaluation.RatingCodeReissued)
    assert (reissued.actor, reissued.timestamp) == ("S002", at)
    assert reissued.rating_code_hash == rating_code_hash(e.id, "B" * 16)
    with pytest.raises(RatingCodeError):
        e.submit("SATISFIED", {}, "", voluntary=True, now=at, actor="a-1", rating_code="A" * 16)
    e.submit("SATISFIED", {}, "", voluntary=True, now=at, actor="a-1", rating_code="B" * 16)
    assert e.status is EvaluationStatus.RATED


def test_the_aggregate_refuses_a_weak_code_and_a_closed_period():
    e = _anonymous()
    with pytest.raises(ValidationError):
        e.reissue_rating_code("1234", now=datetime(2026, 5, 7, tzinfo=UTC), actor="S001")
    with pytest.raises(RatingPeriodOverError) as over:  # 05-13 in Beijing: the default's day
        e.reissue_rating_code("B" * 16, now=datetime(2026, 5, 12, 16, tzinfo=UTC), actor="S1")
    assert over.value.code == "CONFLICT"
    assert e.rating_code_hash == rating_code_hash(e.id, "A" * 16)
    assert len(e.collect_events()) == 1


# -- the application service --------------------------------------------------------------


def test_a_reissued_code_rates_and_the_old_one_is_refused_like_a_wrong_one(evaluations, clock):
    invited = evaluations.invite_evaluation(KIOSK, "system")
    eid, lost = invited.id, invited.rating_code
    clock.advance(hours=2)
    reissued = evaluations.reissue_rating_code(eid, "S002")
    assert RATING_CODE.match(reissued.rating_code)
    assert reissued.rating_code != lost
    assert reissued.evaluation.status is EvaluationStatus.INVITED
    assert reissued.evaluation.default_on == invited.evaluation.default_on  # same period

    wrong = _refused(
        evaluations,
        RatingCodeError,
        lambda: evaluations.submit_rating(eid, GOOD, "a-7", rating_code="Z" * 16),
    )
    old = _refused(
        evaluations,
        RatingCodeError,
        lambda: evaluations.submit_rating(eid, GOOD, "a-7", rating_code=lost),
    )
    assert (type(old), old.code, str(old)) == (type(wrong), "FORBIDDEN", str(wrong))

    rated = evaluations.submit_rating(eid, BAD, "a-7", rating_code=reissued.rating_code)
    assert (rated.status, rated.rater_id) == (EvaluationStatus.RATED, "a-7")


def test_the_event_keeps_the_hash_who_and_when_never_the_code(evaluations, clock):
    invited = evaluations.invite_evaluation(KIOSK, "system")
    clock.advance(hours=3)
    reissued = evaluations.reissue_rating_code(invited.id, "S002")
    stored = evaluations.recorder.select_events(invited.id)
    assert len(stored) == 2
    assert all(reissued.rating_code.encode() not in s.state for s in stored)
    event = evaluations.mapper.to_domain_event(stored[-1])
    assert isinstance(event, Evaluation.RatingCodeReissued)
    event_type, payload = to_payload(event)
    validate_payload(event_type, payload)
    assert (event_type.name, event_type.version) == ("evaluations.RatingCodeReissued", 1)
    assert payload["rating_code_hash"] == rating_code_hash(invited.id, reissued.rating_code)
    assert (payload["actor"], payload["aggregate_version"]) == ("S002", 2)
    assert event.timestamp == clock()


def test_only_the_latest_of_several_reissued_codes_rates(evaluations):
    eid = evaluations.invite_evaluation(KIOSK, "system").id
    first = evaluations.reissue_rating_code(eid, "S001").rating_code
    second = evaluations.reissue_rating_code(eid, "admin-1").rating_code
    _refused(
        evaluations,
        RatingCodeError,
        lambda: evaluations.submit_rating(eid, GOOD, "a-7", rating_code=first),
    )
    assert evaluations.submit_rating(eid, GOOD, "a-7", rating_code=second).rater_id == "a-7"


def test_an_invitation_naming_its_applicant_has_no_code_to_reissue(evaluations):
    eid = evaluations.invite_evaluation(NAMED, "S001").id
    error = _refused(
        evaluations,
        RatingCodeNotReissuableError,
        lambda: evaluations.reissue_rating_code(eid, "S001"),
    )
    assert error.code == "CONFLICT"
    assert evaluations.submit_rating(eid, GOOD, "a-1").rater_id == "a-1"


@pytest.mark.parametrize("state", ["RATED", "DEFAULTED", "EXCLUDED", "PERIOD_OVER"])
def test_a_closed_invitation_keeps_its_state(evaluations, clock, state):
    invited = evaluations.invite_evaluation(KIOSK, "system")
    eid, code = invited.id, invited.rating_code
    clock.set(2026, 5, 13)  # the first day of the default (7 days after 05-06)
    refusal: type[Exception] = RatingPeriodOverError
    if state != "PERIOD_OVER":
        refusal = RatingAlreadySubmittedError
        if state == "DEFAULTED":
            evaluations.apply_default_rating(eid)
        else:
            clock.set(2026, 5, 7)
            evaluations.submit_rating(eid, BAD, "a-7", rating_code=code)
        if state == "EXCLUDED":
            evaluations.appeal_rating(eid, "MALICIOUS", "与服务无关", "S001")
            assert evaluations.exclude_rating(eid, "恶意差评", "sup-1").excluded
    error = _refused(evaluations, refusal, lambda: evaluations.reissue_rating_code(eid, "S001"))
    assert error.code == "CONFLICT"
    assert evaluations.get_evaluation(eid).rating_code_hash == rating_code_hash(eid, code)


def test_another_halls_evaluation_is_not_found(evaluations, hall_apps):
    hall_apps(HallRegistry, "h2").register_hall("二号大厅", "苏州", "op")
    other = hall_apps(EvaluationService, "h2")
    other.clock = evaluations.clock
    elsewhere = other.invite_evaluation(replace(KIOSK, window_code="", staff_badge=""), "s")
    error = _refused(
        evaluations,
        EvaluationNotFoundError,
        lambda: evaluations.reissue_rating_code(elsewhere.id, "S001"),
    )
    assert error.code == "NOT_FOUND"


def test_an_old_anonymous_invitation_gets_a_code_it_never_had(evaluations):
    """v1 invitations without an applicant id had no code (default only): a reissued code
    lets the person served rate them after all."""
    v1 = _stored_v1_invitation(evaluations, "")
    code = evaluations.reissue_rating_code(v1.originator_id, "S001").rating_code
    rated = evaluations.submit_rating(v1.originator_id, GOOD, "a-7", rating_code=code)
    assert rated.status is EvaluationStatus.RATED
