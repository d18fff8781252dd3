"""撤销: a rectification whose bad rating was excluded on appeal is withdrawn before its work
is done; withdrawn, it takes no step and misses no deadline. The aggregate alone (pure: every
command takes ``now``); the exclusion that withdraws it is tested with the evaluations."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import pytest

from services.halls import HallPolicies
from services.rectifications import (
    Rectification,
    RectificationStateError,
    RectificationStatus,
    WithdrawalReason,
)
from services.shared import ValidationError
from services.shared.working_days import CHINA_TZ, WorkingDayCalendar

S = RectificationStatus
OPENED = datetime(2026, 9, 30, 10, tzinfo=CHINA_TZ)  # verification call due 10-08
LATER = datetime(2026, 10, 9, 10, tzinfo=CHINA_TZ)
CALENDAR = WorkingDayCalendar()


def _open(source: str = "BAD_RATING") -> Rectification:
    r = Rectification.open(
        hall_id="h1",
        source=source,
        source_id="e-1",
        applicant_id="a-1",
        window_code="W01",
        staff_badge="S001",
        summary="差评：不满意",
        now=OPENED,
        calendar=CALENDAR,
        policies=HallPolicies(),
        actor="system",
    )
    r.collect_events()
    return r


STEPS: dict[str, Callable[[Rectification], None]] = {
    "verify": lambda r: r.record_verification_call(True, "核实", now=OPENED, actor="S001"),
    "fix": lambda r: r.fix_at_once(["致歉"], now=OPENED, actor="S001"),
    "ledger": lambda r: r.enter_ledger(
        ["整改"], now=OPENED, calendar=CALENDAR, policies=HallPolicies(), actor="S001"
    ),
    "explain": lambda r: r.explain("已解释", now=OPENED, actor="S001"),
    "complete": lambda r: r.complete(["完成"], now=OPENED, actor="S001"),
    "feed_back": lambda r: r.feed_back("PHONE", "已反馈", now=OPENED, actor="S001"),
    "pass": lambda r: r.pass_review("", now=OPENED, actor="sup-1"),
    "reopen": lambda r: r.reopen("不到位", now=OPENED, actor="sup-1"),
    "withdraw": lambda r: r.withdraw("RATING_EXCLUDED", "恶意差评", now=LATER, actor="system"),
}


def _after(*steps: str, source: str = "BAD_RATING") -> Rectification:
    r = _open(source)
    for step in steps:
        STEPS[step](r)
    r.collect_events()
    return r


@pytest.mark.parametrize(
    ("steps", "was"),
    [
        ((), S.OPEN),
        (("verify",), S.VERIFIED),
        (("verify", "ledger"), S.IN_PROGRESS),
        (("verify", "explain", "feed_back", "reopen"), S.VERIFIED),  # a second round
    ],
)
def test_a_rectification_whose_work_is_not_done_is_withdrawn(steps, was):
    r = _after(*steps)
    assert (r.status, r.withdrawable) == (was, True)
    r.withdraw("RATING_EXCLUDED", "经核实为恶意差评", now=LATER, actor="system")
    assert (r.status, r.withdrawal_reason, r.withdrawable) == (
        S.WITHDRAWN,
        WithdrawalReason.RATING_EXCLUDED,
        False,
    )
    [withdrawn] = r.collect_events()
    assert isinstance(withdrawn, Rectification.Withdrawn)
    assert (withdrawn.reason, withdrawn.note, withdrawn.actor, withdrawn.timestamp) == (
        "RATING_EXCLUDED",
        "经核实为恶意差评",
        "system",
        LATER,
    )


@pytest.mark.parametrize(
    ("steps", "status"),
    [
        (("verify", "fix"), S.COMPLETED),
        (("verify", "ledger", "complete"), S.COMPLETED),
        (("verify", "explain", "feed_back"), S.FED_BACK),
        (("verify", "fix", "feed_back", "pass"), S.CLOSED),
        (("withdraw",), S.WITHDRAWN),
    ],
)
def test_a_rectification_whose_work_is_done_or_that_is_withdrawn_stays(steps, status):
    r = _after(*steps)
    assert (r.status, r.withdrawable) == (status, False)
    with pytest.raises(RectificationStateError) as raised:
        r.withdraw("RATING_EXCLUDED", "误评", now=LATER, actor="system")
    assert raised.value.code == "CONFLICT"
    assert (r.status, r.collect_events()) == (status, [])


@pytest.mark.parametrize("command", [c for c in STEPS if c != "withdraw"])
@pytest.mark.parametrize("steps", [(), ("verify",), ("verify", "ledger")])
def test_a_withdrawn_rectification_refuses_every_step(steps, command):
    r = _after(*steps, "withdraw")
    with pytest.raises(RectificationStateError) as raised:
        STEPS[command](r)
    assert raised.value.code == "CONFLICT"
    assert "WITHDRAWN" in str(raised.value)
    assert (r.status, r.collect_events()) == (S.WITHDRAWN, [])


@pytest.mark.parametrize("steps", [(), ("verify", "ledger")])
def test_a_withdrawn_rectification_is_never_overdue(steps):
    r = _after(*steps)
    long_after = datetime(2027, 1, 4, 10, tzinfo=CHINA_TZ)
    assert r.missed_deadline(date(2027, 1, 4)) is not None  # owed, it would be missed
    r.withdraw("RATING_EXCLUDED", "误评", now=LATER, actor="system")
    r.collect_events()
    assert r.missed_deadline(date(2027, 1, 4)) is None
    assert r.mark_overdue(now=long_after, actor="system") is False
    assert (r.is_overdue, r.collect_events()) == (False, [])


def test_a_miss_recorded_before_the_withdrawal_leaves_it_not_overdue():
    r = _after()
    assert r.mark_overdue(now=LATER, actor="system")  # the call was due 10-08
    assert r.is_overdue
    r.withdraw("RATING_EXCLUDED", "误评", now=LATER, actor="system")
    assert not r.is_overdue
    assert r.overdue == {"VERIFICATION:2026-10-08"}  # the history keeps the miss


@pytest.mark.parametrize("source", ["COMPLAINT", "INSPECTION"])
def test_an_excluded_rating_withdraws_only_a_bad_ratings_rectification(source):
    r = _after(source=source)
    with pytest.raises(ValidationError):
        r.withdraw("RATING_EXCLUDED", "误评", now=LATER, actor="system")
    assert (r.status, r.collect_events()) == (S.OPEN, [])


@pytest.mark.parametrize(("reason", "note"), [("CHANGED_MY_MIND", "x"), ("RATING_EXCLUDED", " ")])
def test_a_withdrawal_needs_a_known_reason_and_a_note(reason, note):
    r = _after()
    with pytest.raises(ValidationError):
        r.withdraw(reason, note, now=LATER, actor="system")
    assert (r.status, r.collect_events()) == (S.OPEN, [])
