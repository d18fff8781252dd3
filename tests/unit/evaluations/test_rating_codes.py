"""评价码: an invitation without an applicant id (a kiosk ticket, a walk-in) is rated only
with its one-time rating code, once; the platform keeps only the code's hash. Invitations
that name the applicant work as before, and so do the default ratings."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from contracts import event_type_for_topic, to_payload, validate_payload
from services.evaluations import (
    Evaluation,
    EvaluationStatus,
    Invitation,
    NotTheRaterError,
    RatingAlreadySubmittedError,
    RatingCodeError,
    RatingLevel,
)
from services.evaluations.application import EvaluationService, InvitedEvaluation, Rating
from services.evaluations.codes import RATING_CODE, rating_code_hash
from services.evaluations.policies import rectification_id_for
from services.shared import ValidationError

KIOSK = Invitation("VISIT", "ZH-A001", "OFFLINE", window_code="W01", staff_badge="S001")
NAMED = Invitation("VISIT", "ZH-A002", "OFFLINE", applicant_id="a-1", window_code="W01")
BAD = Rating("VERY_DISSATISFIED", {"OVERALL": 1}, "态度差")
GOOD = Rating("SATISFIED", {"OVERALL": 4})


def _refused(app: EvaluationService, error: type[Exception], act) -> Exception:
    """``act`` raises ``error`` and records nothing."""
    before = app.recorder.max_notification_id()
    with pytest.raises(error) as raised:
        act()
    assert app.recorder.max_notification_id() == before
    return raised.value


def test_an_invitation_without_an_applicant_returns_a_one_time_code(evaluations):
    invited = evaluations.invite_evaluation(KIOSK, "S001")
    assert isinstance(invited, InvitedEvaluation)
    assert RATING_CODE.match(invited.rating_code)
    assert len(invited.rating_code) == 16
    other = evaluations.invite_evaluation(replace(KIOSK, subject_ref="ZH-A003"), "S001")
    assert other.rating_code != invited.rating_code


def test_the_invitation_stores_only_the_hash_of_the_code(evaluations):
    invited = evaluations.invite_evaluation(KIOSK, "S001")
    eid = invited.evaluation.id
    stored = evaluations.recorder.select_events(eid)
    assert all(invited.rating_code.encode() not in s.state for s in stored)
    event = evaluations.mapper.to_domain_event(stored[0])
    assert event.rating_code_hash == rating_code_hash(eid, invited.rating_code)
    event_type, payload = to_payload(event)
    assert (event_type.name, event_type.version) == ("evaluations.EvaluationInvited", 2)
    validate_payload(event_type, payload)


def test_a_stranger_without_the_code_cannot_rate(evaluations):
    e = evaluations.invite_evaluation(KIOSK, "S001").evaluation
    error = _refused(
        evaluations,
        RatingCodeError,
        lambda: evaluations.submit_rating(e.id, BAD, "some-stranger"),
    )
    assert error.code == "FORBIDDEN"
    assert isinstance(error, NotTheRaterError)
    assert evaluations.get_evaluation(e.id).status is EvaluationStatus.INVITED


@pytest.mark.parametrize(
    "wrong",
    ["A" * 16, "short", "x" * 65, "has spaces in it!", "<code of another visit>"],
)
def test_a_wrong_code_is_refused(evaluations, wrong):
    e = evaluations.invite_evaluation(KIOSK, "S001").evaluation
    if wrong == "<code of another visit>":
        wrong = evaluations.invite_evaluation(replace(KIOSK, subject_ref="ZH-B1"), "S001")
        wrong = wrong.rating_code
    error = _refused(
        evaluations,
        RatingCodeError,
        lambda: evaluations.submit_rating(e.id, BAD, "some-stranger", rating_code=wrong),
    )
    assert error.code == "FORBIDDEN"


def test_the_right_code_rates_once(evaluations):
    invited = evaluations.invite_evaluation(KIOSK, "S001")
    eid, code = invited.evaluation.id, invited.rating_code
    rated = evaluations.submit_rating(eid, BAD, "a-7", rating_code=f" {code}\n")
    assert (rated.status, rated.level, rated.rater_id) == (
        EvaluationStatus.RATED,
        RatingLevel.VERY_DISSATISFIED,
        "a-7",
    )
    # the bad rating opened its rectification, with the rater to call back
    rectification = evaluations.get_or_none(rectification_id_for(rated))
    assert rectification is not None
    assert rectification.applicant_id == "a-7"
    for rater in ("a-7", "a-8"):  # 一次一评: the code does not rate twice
        _refused(
            evaluations,
            RatingAlreadySubmittedError,
            lambda rater=rater: evaluations.submit_rating(eid, GOOD, rater, rating_code=code),
        )
    # the rater (now known) appends without the code; nobody else does
    _refused(evaluations, NotTheRaterError, lambda: evaluations.append_rating(eid, "再评", "a-8"))
    assert evaluations.append_rating(eid, "后来解决了", "a-7").appended


def test_invitations_naming_the_applicant_work_as_before(evaluations):
    invited = evaluations.invite_evaluation(NAMED, "S001")
    assert invited.rating_code == ""
    eid = invited.evaluation.id
    stored = evaluations.mapper.to_domain_event(evaluations.recorder.select_events(eid)[0])
    assert stored.rating_code_hash == ""
    _refused(evaluations, NotTheRaterError, lambda: evaluations.submit_rating(eid, BAD, "a-2"))
    assert evaluations.submit_rating(eid, GOOD, "a-1").rater_id == "a-1"


def test_unrated_code_invitations_still_default(evaluations, clock):
    invited = evaluations.invite_evaluation(KIOSK, "S001")
    clock.set(2026, 5, 13)
    eid = invited.evaluation.id
    assert evaluations.apply_default_rating(eid).status is EvaluationStatus.DEFAULTED
    _refused(
        evaluations,
        RatingAlreadySubmittedError,
        lambda: evaluations.submit_rating(eid, GOOD, "a-1", rating_code=invited.rating_code),
    )


def test_the_domain_refuses_weak_or_misplaced_codes(clock):
    common = {
        "hall_id": "h1",
        "subject_kind": "VISIT",
        "subject_ref": "T-1",
        "channel": "OFFLINE",
        "window_code": "",
        "staff_badge": "",
        "item_code": "",
        "now": clock(),
        "unrated_default_days": 7,
        "actor": "S001",
    }
    with pytest.raises(ValidationError):  # no applicant: a code is required
        Evaluation.invite(applicant_id="", rating_code="", **common)
    with pytest.raises(ValidationError):  # ... and a guessable one is not enough
        Evaluation.invite(applicant_id="", rating_code="1234", **common)
    with pytest.raises(ValidationError):  # the applicant is named: no code
        Evaluation.invite(applicant_id="a-1", rating_code="A" * 16, **common)


def _stored_v1_invitation(evaluations: EvaluationService, applicant_id: str):
    """An EvaluationInvited as stored before v2: no ``rating_code_hash``, no ``class_version``."""
    evaluation = Evaluation.invite(
        hall_id="h1",
        subject_kind="VISIT",
        subject_ref="OLD-1",
        channel="OFFLINE",
        applicant_id=applicant_id,
        window_code="W01",
        staff_badge="S001",
        item_code="",
        rating_code="" if applicant_id else "A" * 16,
        now=evaluations.clock(),
        unrated_default_days=7,
        actor="S001",
    )
    stored = evaluations.mapper.to_stored_event(evaluation.collect_events()[0])
    state = json.loads(stored.state)
    assert state.pop("class_version") == 2
    del state["rating_code_hash"]
    v1 = replace(stored, state=json.dumps(state).encode())
    evaluations.recorder.insert_events([v1])
    return v1


def test_an_old_invitation_without_an_applicant_only_defaults(evaluations, clock):
    """v1 invitations had no code: without an applicant id, no applicant token rates them
    (whoever it is, with whatever code); they count as 基本满意 when the period is over."""
    v1 = _stored_v1_invitation(evaluations, "")
    assert event_type_for_topic(v1.topic).version == 2
    event = evaluations.mapper.to_domain_event(v1)
    assert event.rating_code_hash == ""
    validate_payload(*to_payload(event))  # the upcast event keeps the v2 contract
    for code in ("", "A" * 16):
        error = _refused(
            evaluations,
            NotTheRaterError,
            lambda code=code: evaluations.submit_rating(
                v1.originator_id, BAD, "some-stranger", rating_code=code
            ),
        )
        assert error.code == "FORBIDDEN"
        assert "before rating codes" in str(error)
    clock.set(2026, 5, 13)
    defaulted = evaluations.apply_default_rating(v1.originator_id)
    assert defaulted.status is EvaluationStatus.DEFAULTED


def test_an_old_invitation_naming_the_applicant_is_rated_as_before(evaluations):
    v1 = _stored_v1_invitation(evaluations, "a-1")
    _refused(
        evaluations,
        NotTheRaterError,
        lambda: evaluations.submit_rating(v1.originator_id, BAD, "a-2"),
    )
    assert evaluations.submit_rating(v1.originator_id, GOOD, "a-1").rater_id == "a-1"
