"""甄别剔除 → 撤销: a bad rating excluded on appeal withdraws the rectification it opened, in
the same atomic save as ``RatingExcluded``, unless that rectification's work is done (a
completed, fed back or closed one stays as it is). Withdrawn, the rectification takes no step
and the deadline scheduler's command records no miss for it."""

from __future__ import annotations

from datetime import datetime

import pytest

from services.evaluations import Invitation, Rating
from services.evaluations.policies import rectification_id_for
from services.rectifications import (
    Rectification,
    RectificationService,
    RectificationStateError,
    RectificationStatus,
)
from services.scheduler.rectifications import RECTIFICATION_DEADLINES
from services.scheduler.registry import DueRecord
from services.shared import ConflictError
from services.shared.working_days import CHINA_TZ
from services.staff import OpenWork, StaffService, open_work_in_log

S = RectificationStatus
VISIT = Invitation("VISIT", "T-20260506-A001", "OFFLINE", "a-1", "W01", "S001", "BDB-001")
BAD = Rating(level="VERY_DISSATISFIED", scores={"OVERALL": 1}, comment="态度差")
GOOD = Rating(level="SATISFIED", scores={"OVERALL": 4})


def _names(app, aggregate_id) -> list[str]:
    return [type(e).__name__ for e in app.repository.event_store.get(aggregate_id)]


def _appealed(evaluations, rating: Rating = BAD):
    """A visit rated (on 2026-05-06, the call due 05-07) and appealed; its evaluation."""
    e = evaluations.invite_evaluation(VISIT, "S001")
    evaluations.submit_rating(e.id, rating, "a-1")
    return evaluations.appeal_rating(e.id, "MALICIOUS", "评价内容与服务无关", "S001")


STEPS = {
    "verify": lambda app, rid: app.record_verification_call(rid, True, "已联系", "S001"),
    "fix": lambda app, rid: app.fix_at_once(rid, ["致歉"], "S001"),
    "ledger": lambda app, rid: app.enter_ledger(rid, ["整改"], "S001"),
    "explain": lambda app, rid: app.explain(rid, "已解释", "S001"),
    "complete": lambda app, rid: app.complete(rid, ["完成"], "S001"),
    "feed_back": lambda app, rid: app.feed_back(rid, "PHONE", "已反馈", "S001"),
    "pass": lambda app, rid: app.pass_review(rid, "", "sup-1"),
    "reopen": lambda app, rid: app.reopen(rid, "不到位", "sup-1"),
}


@pytest.mark.parametrize(
    "steps", [(), ("verify",), ("verify", "ledger"), ("verify", "fix", "feed_back", "reopen")]
)
def test_the_exclusion_withdraws_the_open_rectification_in_the_same_save(
    evaluations, rectifications, clock, steps
):
    e = _appealed(evaluations)
    rid = rectification_id_for(e)
    for step in steps:
        STEPS[step](rectifications, rid)
    clock.set(2026, 5, 12)
    before = evaluations.recorder.max_notification_id()
    e = evaluations.exclude_rating(e.id, "经核实为恶意差评", "sup-1")
    assert e.excluded
    recorded = evaluations.recorder.select_notifications(start=before + 1, limit=10)
    assert [(n.originator_id, n.topic.rsplit(".", 1)[-1]) for n in recorded] == [
        (e.id, "RatingExcluded"),
        (rid, "Withdrawn"),
    ]
    r = rectifications.get_rectification(rid)
    assert (r.status, r.is_overdue) == (S.WITHDRAWN, False)
    withdrawn = list(rectifications.repository.event_store.get(rid))[-1]
    assert isinstance(withdrawn, Rectification.Withdrawn)
    assert (withdrawn.reason, withdrawn.note, withdrawn.actor, withdrawn.timestamp) == (
        "RATING_EXCLUDED",
        "经核实为恶意差评",
        "system",
        clock.now,
    )


@pytest.mark.parametrize(
    ("steps", "status"),
    [
        (("verify", "fix"), S.COMPLETED),
        (("verify", "ledger", "complete"), S.COMPLETED),
        (("verify", "explain", "feed_back"), S.FED_BACK),
        (("verify", "fix", "feed_back", "pass"), S.CLOSED),
    ],
)
def test_a_rectification_whose_work_is_done_stays_as_it_is(
    evaluations, rectifications, steps, status
):
    e = _appealed(evaluations)
    rid = rectification_id_for(e)
    for step in steps:
        STEPS[step](rectifications, rid)
    history = _names(rectifications, rid)
    before = evaluations.recorder.max_notification_id()
    assert evaluations.exclude_rating(e.id, "误评", "sup-1").excluded
    assert evaluations.recorder.max_notification_id() == before + 1  # RatingExcluded alone
    assert _names(rectifications, rid) == history
    assert rectifications.get_rectification(rid).status is status
    if status is S.COMPLETED:  # the work was done: the rater is still told, then reviewed
        assert rectifications.feed_back(rid, "PHONE", "已整改", "S001").status is S.FED_BACK


def test_excluding_a_good_rating_touches_no_rectification(evaluations):
    e = _appealed(evaluations, GOOD)
    before = evaluations.recorder.max_notification_id()
    evaluations.exclude_rating(e.id, "刷好评", "sup-1")
    assert evaluations.recorder.max_notification_id() == before + 1
    assert evaluations.get_or_none(rectification_id_for(e)) is None


def test_only_the_excluded_ratings_rectification_is_withdrawn(evaluations, rectifications):
    excluded = _appealed(evaluations)
    other = evaluations.invite_evaluation(Invitation("VISIT", "T-2", "OFFLINE", "a-1"), "S001")
    evaluations.submit_rating(other.id, BAD, "a-1")
    evaluations.exclude_rating(excluded.id, "误评", "sup-1")
    kept = rectifications.get_rectification(
        rectification_id_for(evaluations.get_evaluation(other.id))
    )
    assert kept.status is S.OPEN
    assert rectifications.get_rectification(rectification_id_for(excluded)).status is S.WITHDRAWN


@pytest.mark.parametrize(
    ("steps", "command"),
    [
        ((), "verify"),
        (("verify",), "fix"),
        (("verify",), "ledger"),
        (("verify",), "explain"),
        (("verify", "ledger"), "complete"),
    ],
)
def test_a_withdrawn_rectification_refuses_the_step_it_was_waiting_for(
    evaluations, rectifications, steps, command
):
    """(The steps after these are refused as in any state that does not allow them:
    ``tests/unit/rectifications/test_withdrawal.py`` runs every command.)"""
    e = _appealed(evaluations)
    rid = rectification_id_for(e)
    for step in steps:
        STEPS[step](rectifications, rid)
    evaluations.exclude_rating(e.id, "误评", "sup-1")
    before = rectifications.recorder.max_notification_id()
    with pytest.raises(RectificationStateError) as raised:
        STEPS[command](rectifications, rid)
    assert raised.value.code == "CONFLICT"
    assert rectifications.recorder.max_notification_id() == before


def test_a_withdrawn_rectification_is_never_marked_overdue(
    hall_apps, hall, evaluations, rectifications, clock
):
    """Neither by the hall's overdue check nor by the deadline scheduler's command, even when
    the scheduler's read model still lists it (it lags behind the withdrawal)."""
    e = _appealed(evaluations)  # the call is due 2026-05-07
    rid = rectification_id_for(e)
    evaluations.exclude_rating(e.id, "误评", "sup-1")
    clock.set(2026, 6, 1)
    before = rectifications.recorder.max_notification_id()
    assert rectifications.mark_overdue() == 0
    record = DueRecord(hall, rid, rectifications.get_rectification(rid).verification_due_on)

    def apps(app_cls: type[RectificationService], hall_id: str) -> RectificationService:
        return hall_apps(app_cls, hall_id)

    scheduler_now = datetime(2026, 6, 2, 0, 5, tzinfo=CHINA_TZ)
    assert RECTIFICATION_DEADLINES.mark_overdue(apps, record, scheduler_now) is False
    assert rectifications.recorder.max_notification_id() == before
    assert "Overdue" not in _names(rectifications, rid)


def test_an_exclusion_racing_a_step_of_its_rectification_records_nothing(
    hall_apps, hall, evaluations, rectifications, monkeypatch
):
    """The exclusion read the rectification open; a verification call is saved before the
    exclusion is: the exclusion conflicts and records nothing (neither the exclusion nor
    the withdrawal), so it is tried again against the rectification as it is now."""
    e = _appealed(evaluations)
    rid = rectification_id_for(e)
    load = evaluations._rectification

    def load_then_race(rectification_id):
        found = load(rectification_id)
        STEPS["verify"](hall_apps(RectificationService, hall), rectification_id)
        return found

    monkeypatch.setattr(evaluations, "_rectification", load_then_race)
    before = evaluations.recorder.max_notification_id()
    with pytest.raises(ConflictError) as raised:
        evaluations.exclude_rating(e.id, "误评", "sup-1")
    assert raised.value.code == "CONFLICT"
    assert evaluations.recorder.max_notification_id() == before + 1  # the call only
    assert _names(evaluations, e.id)[-1] == "RatingAppealed"
    monkeypatch.undo()
    assert evaluations.exclude_rating(e.id, "误评", "sup-1").excluded
    assert rectifications.get_rectification(rid).status is S.WITHDRAWN


def test_a_withdrawn_rectification_holds_no_member_back_from_offboarding(
    hall_apps, hall, evaluations
):
    staff = hall_apps(StaffService, hall)
    e = _appealed(evaluations)  # S001 owes the verification call
    assert open_work_in_log(staff, "S001") == OpenWork(pending_rectifications=1)
    evaluations.exclude_rating(e.id, "误评", "sup-1")
    assert open_work_in_log(staff, "S001") == OpenWork()
    staff.offboard_staff("S001", "离职", "admin")
    assert staff.get_staff("S001").offboarded
