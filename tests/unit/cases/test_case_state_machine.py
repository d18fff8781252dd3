"""Random command sequences against the 帮办代办 cases of one hall (hypothesis stateful).

Every step either records exactly one event or is refused with a case error and records
nothing. After every step, each case's history must keep the invariants: the due date
moves only with a restarted clock (补正 after a clock-stopping notice, or 续办) and by
exactly the working days stopped; a case ends once, and only 回访 and 归档 follow; the
first responsible (首问负责) never changes; nothing follows 归档.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from uuid import UUID

import hypothesis.strategies as st
from hypothesis import HealthCheck, settings
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, precondition, rule

from services.cases import CaseError, Delivery
from services.shared.working_days import WorkingDayCalendar
from tests.unit.cases.support import MATERIALS, make_hall

MODES = ["FULL_AGENCY", "STEP_ASSISTANCE", "ONSITE_GUIDANCE"]
BADGES = ["S001", "S002", "S003", "S999"]
materials = st.lists(st.sampled_from([*MATERIALS, "户口本"]), max_size=4)
text = st.sampled_from(["原因", "原因", " "])
CALENDAR = WorkingDayCalendar()
MOVES_DUE = {"Accepted", "MaterialsSupplemented", "Resumed"}
ENDS = {"Completed", "Terminated"}


class CaseMachine(RuleBasedStateMachine):
    cases = Bundle("cases")

    def __init__(self) -> None:
        super().__init__()
        self.hall = make_hall()
        self.known: list[UUID] = []
        self.refused = 0
        self.detoured: set[UUID] = set()
        self.reassigned: set[UUID] = set()

    def _attempt(self, command: Callable[[], object]) -> None:
        before = self.hall.position()
        try:
            command()
        except CaseError:
            assert self.hall.position() == before, "a refused command recorded something"
            self.refused += 1
        else:
            assert self.hall.position() == before + 1, "a command records exactly one event"

    # --- commands ------------------------------------------------------------------------

    @precondition(lambda self: len(self.known) < 3)  # a few cases, taken far
    @rule(target=cases, mode=st.sampled_from(MODES))
    def request(self, mode: str) -> UUID:
        case_id = self.hall.request(mode)
        self.known.append(case_id)
        return case_id

    @rule(case=cases, badge=st.sampled_from(BADGES))
    def accept(self, case: UUID, badge: str) -> None:
        self._attempt(lambda: self.hall.cases.accept_case(case, badge, "s"))

    @rule(case=cases, badge=st.sampled_from(BADGES), reason=st.sampled_from(["轮岗", " "]))
    def reassign(self, case: UUID, badge: str, reason: str) -> None:
        self._attempt(lambda: self.hall.cases.reassign_case(case, badge, reason, "s"))

    @rule(case=cases, received=materials)
    def check(self, case: UUID, received: list[str]) -> None:
        self._attempt(lambda: self.hall.cases.check_materials(case, received, "s"))

    @rule(case=cases, lacking=st.sampled_from([None, *MATERIALS]))
    def check_all_but_one(self, case: UUID, lacking: str | None) -> None:
        received = [m for m in MATERIALS if m != lacking]
        self._attempt(lambda: self.hall.cases.check_materials(case, received, "s"))

    @rule(case=cases, listed=materials)
    def notice(self, case: UUID, listed: list[str]) -> None:
        self._attempt(lambda: self.hall.cases.issue_notice(case, listed, "", "s"))

    @rule(case=cases)
    def notice_of_everything_missing(self, case: UUID) -> None:
        missing = list(self.hall.cases.get_case(case).missing_materials)
        self._attempt(lambda: self.hall.cases.issue_notice(case, missing, "", "s"))

    @rule(case=cases, supplied=materials)
    def supplement(self, case: UUID, supplied: list[str]) -> None:
        self._attempt(lambda: self.hall.cases.supplement_materials(case, supplied, "s"))

    @rule(case=cases)
    def supplement_everything_outstanding(self, case: UUID) -> None:
        outstanding = list(self.hall.cases.get_case(case).outstanding_materials)
        self._attempt(lambda: self.hall.cases.supplement_materials(case, outstanding, "s"))

    @rule(case=cases, verified=st.booleans(), method=st.sampled_from(["NONE", "ID_CARD_READER"]))
    def mandate(self, case: UUID, verified: bool, method: str) -> None:
        self._attempt(lambda: self.hall.cases.sign_mandate(case, verified, method, "s"))

    @rule(case=cases)
    def mandate_verified(self, case: UUID) -> None:
        self._attempt(lambda: self.hall.cases.sign_mandate(case, True, "FACE_RECOGNITION", "s"))

    @rule(case=cases)
    def hand_over(self, case: UUID) -> None:
        self._attempt(lambda: self.hall.cases.hand_over_materials(case, "R-1", "s"))

    @rule(case=cases, days=st.integers(-3, 30))
    def submit(self, case: UUID, days: int) -> None:
        due = self.hall.clock.now.date() + timedelta(days=days)
        self._attempt(lambda: self.hall.cases.submit_to_department(case, "D", "A-1", due, "s"))

    @rule(case=cases, reason=text)
    def suspend(self, case: UUID, reason: str) -> None:
        self._attempt(lambda: self.hall.cases.suspend_case(case, reason, "s"))

    @rule(case=cases)
    def resume(self, case: UUID) -> None:
        self._attempt(lambda: self.hall.cases.resume_case(case, "", "s"))

    @rule(case=cases, outcome=st.sampled_from(["APPROVED", "NOT_APPROVED"]))
    def receive(self, case: UUID, outcome: str) -> None:
        self._attempt(lambda: self.hall.cases.receive_result(case, outcome, "", "", "s"))

    @rule(case=cases, mail=st.booleans())
    def deliver(self, case: UUID, mail: bool) -> None:
        how = Delivery("MAIL", "张三", "苏州市", "SF1") if mail else Delivery("PICKUP", "张三")
        self._attempt(lambda: self.hall.cases.deliver_result(case, how, "s"))

    @rule(case=cases)
    def complete(self, case: UUID) -> None:
        self._attempt(lambda: self.hall.cases.complete_case(case, "", "s"))

    @rule(case=cases, reason=text)
    def terminate(self, case: UUID, reason: str) -> None:
        self._attempt(lambda: self.hall.cases.terminate_case(case, reason, "s"))

    @rule(case=cases, reached=st.booleans(), satisfied=st.sampled_from([None, True, False]))
    def follow_up(self, case: UUID, reached: bool, satisfied: bool | None) -> None:
        self._attempt(lambda: self.hall.cases.record_follow_up(case, reached, satisfied, "", "s"))

    @rule(case=cases)
    def archive(self, case: UUID) -> None:
        self._attempt(lambda: self.hall.cases.archive_case(case, "s"))

    @rule(
        case=cases,
        steps=st.integers(1, 8),
        lacking=st.sampled_from([None, *MATERIALS]),
        reached=st.booleans(),
    )
    def progress(self, case: UUID, steps: int, lacking: str | None, reached: bool) -> None:
        """Take the case up to ``steps`` steps along its mode's usual path (so that random
        sequences reach deep states too)."""
        for _ in range(steps):
            self._attempt(lambda: self._next_step(case, lacking, reached))

    @rule(case=cases, lacking=st.sampled_from([None, *MATERIALS]))
    def progress_far(self, case: UUID, lacking: str | None) -> None:
        """As :meth:`progress`, many steps at once: most cases then reach their end."""
        self.progress(case, 14, lacking, reached=True)

    def _next_step(  # noqa: PLR0911 - one step per status
        self, case_id: UUID, lacking: str | None, reached: bool
    ) -> object:
        cases, c = self.hall.cases, self.hall.cases.get_case(case_id)
        status = c.status.value
        if status == "REQUESTED":
            return cases.accept_case(case_id, "S001", "s")
        if status == "ACCEPTED":
            if c.outstanding_materials:
                self.hall.clock.advance(days=1)
                return cases.supplement_materials(case_id, c.outstanding_materials, "s")
            if c.missing_materials and c.notice_issued_on is None:
                return cases.issue_notice(case_id, c.missing_materials, "", "s")
            if not c.materials_checked or (c.mode.acts_on_behalf and not c.materials_complete):
                received = [m for m in MATERIALS if m != lacking]
                return cases.check_materials(case_id, received, "s")
            if not c.mode.acts_on_behalf or (c.mode.value == "STEP_ASSISTANCE" and lacking):
                return cases.complete_case(case_id, "", "s")
            if not c.identity_verified:
                return cases.sign_mandate(case_id, True, "ID_CARD_READER", "s")
            if c.receipt_number is None:
                return cases.hand_over_materials(case_id, "R-1", "s")
            due = self.hall.clock.now.date() + timedelta(days=10)
            return cases.submit_to_department(case_id, "D", "A-1", due, "s")
        if status == "SUBMITTED" and case_id not in self.detoured:
            self.detoured.add(case_id)
            return cases.suspend_case(case_id, "等待部门", "s")
        if status == "SUSPENDED":
            self.hall.clock.advance(days=2)
        if status in {"SUSPENDED", "RESULT_RECEIVED"} and case_id not in self.reassigned:
            self.reassigned.add(case_id)
            return cases.reassign_case(case_id, "S003", "跨层级转办", "s")
        step: dict[str, Callable[[], object]] = {
            "SUBMITTED": lambda: cases.receive_result(case_id, "APPROVED", "", "", "s"),
            "SUSPENDED": lambda: cases.resume_case(case_id, "", "s"),
            "RESULT_RECEIVED": lambda: cases.deliver_result(
                case_id, Delivery("PICKUP", "张三"), "s"
            ),
            "DELIVERED": lambda: cases.complete_case(case_id, "", "s"),
            "COMPLETED": lambda: cases.record_follow_up(case_id, reached, None, "", "s"),
            "TERMINATED": lambda: cases.record_follow_up(case_id, reached, None, "", "s"),
        }
        if (
            status in {"COMPLETED", "TERMINATED"}
            and c.follow_up_calls
            and (reached or c.follow_up_reached)
        ):
            return cases.archive_case(case_id, "s")
        return step.get(status, lambda: cases.archive_case(case_id, "s"))()

    @rule(days=st.integers(0, 6), hours=st.integers(0, 23))
    def time_passes(self, days: int, hours: int) -> None:
        self.hall.clock.advance(days=days, hours=hours)

    # --- invariants ----------------------------------------------------------------------

    @invariant()
    def the_due_date_moves_only_with_a_restarted_clock(self) -> None:
        for case_id in self.known:
            events = self.hall.events(case_id)
            previous: date | None = None
            stopped_on: date | None = None
            for version, event in enumerate(events, start=1):
                name = type(event).__name__
                due = self.hall.cases.repository.get(case_id, version=version).due_date
                if name == "NoticeIssued":
                    stopped_on = (
                        date.fromisoformat(event.issued_on) if event.clock_stopped else None
                    )
                elif name == "Suspended":
                    stopped_on = date.fromisoformat(event.suspended_on)
                if due != previous:
                    assert name in MOVES_DUE, f"{name} moved the due date"
                if name == "MaterialsSupplemented" and not event.outstanding and stopped_on:
                    self._moved_by_stop(
                        previous,
                        due,
                        stopped_on,
                        event.supplemented_on,
                        event.clock_stopped_working_days,
                    )
                    stopped_on = None
                elif name == "MaterialsSupplemented":
                    assert (due, event.clock_stopped_working_days) == (previous, 0)
                elif name == "Resumed":
                    assert stopped_on is not None
                    self._moved_by_stop(
                        previous, due, stopped_on, event.resumed_on, event.suspended_working_days
                    )
                    stopped_on = None
                previous = due

    @staticmethod
    def _moved_by_stop(
        before: date | None, after: date | None, stopped_on: date, restarted: str, days: int
    ) -> None:
        assert before is not None
        assert after is not None
        assert days == CALENDAR.working_days_between(stopped_on, date.fromisoformat(restarted))
        assert after == (CALENDAR.add_working_days(before, days) if days else before)

    @invariant()
    def a_case_ends_once_and_only_follow_up_and_archive_come_after(self) -> None:
        for case_id in self.known:
            names = [type(e).__name__ for e in self.hall.events(case_id)]
            ends = [i for i, n in enumerate(names) if n in ENDS]
            assert len(ends) <= 1
            if ends:
                assert set(names[ends[0] + 1 :]) <= {"FollowUpCalled", "Archived"}
            if "Archived" in names:
                assert names.index("Archived") == len(names) - 1
                assert ends, "only an ended case is archived"
                assert "FollowUpCalled" in names

    @invariant()
    def the_first_responsible_never_changes(self) -> None:
        for case_id in self.known:
            events = self.hall.events(case_id)
            accepted = [e for e in events if type(e).__name__ == "Accepted"]
            assert len(accepted) <= 1
            case = self.hall.cases.get_case(case_id)
            expected = accepted[0].accepted_by if accepted else None
            assert case.first_responsible == expected
            for version in range(1, len(events) + 1):
                past = self.hall.cases.repository.get(case_id, version=version)
                assert past.first_responsible in {None, expected}

    @invariant()
    def every_event_says_who_acted(self) -> None:
        for case_id in self.known:
            assert all(e.actor for e in self.hall.events(case_id))


TestCaseStateMachine = CaseMachine.TestCase
TestCaseStateMachine.settings = settings(
    max_examples=80,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
