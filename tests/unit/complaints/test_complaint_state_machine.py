"""Random command sequences against the complaint state machine (hypothesis, stateful).

Invariants: the state follows the procedure's table (with its rules: a referred complaint is
investigated once assigned, a round's deadline is extended once); a refused command records
nothing; a
deadline never moves without an acceptance, extension or reopening event (and then to the
date the working-day calendar gives); a complaint is archived only after it was answered;
every substantiated finding has its rectification.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from eventsourcing.persistence import ApplicationRecorder
from eventsourcing.popo import POPOApplicationRecorder
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, precondition, rule

from services.complaints import Complaint, ComplaintDetails, ComplaintService, ComplaintStateError
from services.complaints import ComplaintStatus as S
from services.halls import HallRegistry
from services.rectifications import Rectification
from services.shared.application import HallApplication
from services.shared.working_days import CHINA_TZ, WorkingDayCalendar, local_date

CALENDAR = WorkingDayCalendar()
ALLOWED = {
    "accept": {S.RECEIVED},
    "reject": {S.RECEIVED},
    "withdraw": {S.RECEIVED, S.ACCEPTED, S.ASSIGNED, S.INVESTIGATED, S.DISPOSED},
    "assign": {S.ACCEPTED, S.ASSIGNED},
    "investigate": {S.ACCEPTED, S.ASSIGNED},
    "dispose": {S.INVESTIGATED},
    "extend": {S.ACCEPTED, S.ASSIGNED, S.INVESTIGATED, S.DISPOSED},
    "reply": {S.DISPOSED},
    "follow_up": {S.REPLIED},
    "reopen": {S.REPLIED, S.FOLLOWED_UP},
    "archive": {S.REJECTED, S.WITHDRAWN, S.REPLIED, S.FOLLOWED_UP},
}
NEXT = {
    "accept": S.ACCEPTED,
    "reject": S.REJECTED,
    "withdraw": S.WITHDRAWN,
    "assign": S.ASSIGNED,
    "investigate": S.INVESTIGATED,
    "dispose": S.DISPOSED,
    "extend": None,  # stays
    "reply": S.REPLIED,
    "follow_up": S.FOLLOWED_UP,
    "reopen": S.ACCEPTED,
    "archive": S.ARCHIVED,
}
MOVES_DEADLINE = {"Accepted", "DeadlineExtended", "Reopened"}


def _app(cls: type[HallApplication], recorder: ApplicationRecorder) -> HallApplication:
    class InMemory(cls):  # type: ignore[valid-type,misc]
        name = cls.__name__

        def construct_recorder(self) -> ApplicationRecorder:
            return recorder

    app = InMemory()
    app.hall_id = "h1"
    return app


class Model:
    """What the test expects of one complaint."""

    def __init__(self, anonymous: bool) -> None:
        self.status = S.RECEIVED
        self.anonymous = anonymous
        self.due: date | None = None
        self.round = 1
        self.complaint_class = ""
        self.assigned = False
        self.extended = False


class ComplaintMachine(RuleBasedStateMachine):
    complaints = Bundle("complaints")

    def __init__(self) -> None:
        super().__init__()
        recorder = POPOApplicationRecorder()
        _app(HallRegistry, recorder).register_hall("一号大厅", "苏州", "op")  # type: ignore[attr-defined]
        self.now = datetime(2026, 9, 28, 10, tzinfo=CHINA_TZ)
        self.app = _app(ComplaintService, recorder)
        assert isinstance(self.app, ComplaintService)
        self.app.clock = lambda: self.now
        self.models: dict[object, Model] = {}

    # -- commands --------------------------------------------------------------------------

    @precondition(lambda self: len(self.models) < 3)
    @rule(target=complaints, anonymous=st.booleans())
    def receive(self, anonymous: bool) -> object:
        details = (
            ComplaintDetails(channel="ONLINE", facts="无人引导", anonymous=True)
            if anonymous
            else ComplaintDetails(
                channel="IN_PERSON",
                facts="态度生硬",
                applicant_id="a-1",
                complainant_name="张三",
                respondent_window="W01",
            )
        )
        complaint = self.app.receive_complaint(details, "a-1")
        self.models[complaint.id] = Model(anonymous)
        return complaint.id

    @rule(days=st.integers(min_value=0, max_value=9), hours=st.integers(0, 23))
    def time_passes(self, days: int, hours: int) -> None:
        self.now += timedelta(days=days, hours=hours)

    def _attempt(self, cid: object, command: str, act, *, extra_ok: bool = True) -> bool:
        model = self.models[cid]
        allowed = model.status in ALLOWED[command] and extra_ok
        before = self.app.recorder.max_notification_id()
        due_before = self.app.get_complaint(cid).due_on  # type: ignore[arg-type]
        try:
            act()
        except ComplaintStateError:
            assert not allowed, f"{command} refused in {model.status}"
            assert self.app.recorder.max_notification_id() == before
            assert self.app.get_complaint(cid).due_on == due_before  # type: ignore[arg-type]
            return False
        assert allowed, f"{command} accepted in {model.status}"
        if NEXT[command] is not None:
            model.status = NEXT[command]
        return True

    @rule(cid=complaints, cls=st.sampled_from(["ON_THE_SPOT", "REFERRED", "INTERVENTION"]))
    def accept(self, cid, cls) -> None:
        today = local_date(self.now)
        if self._attempt(cid, "accept", lambda: self.app.accept_complaint(cid, cls, "admin")):
            days = 1 if cls == "ON_THE_SPOT" else 5
            self.models[cid].due = CALENDAR.add_working_days(today, days)
            self.models[cid].complaint_class = cls

    @rule(cid=complaints)
    def reject(self, cid) -> None:
        self._attempt(
            cid, "reject", lambda: self.app.reject_complaint(cid, "OUT_OF_SCOPE", "告知", "admin")
        )

    @rule(cid=complaints)
    def withdraw(self, cid) -> None:
        self._attempt(
            cid,
            "withdraw",
            lambda: self.app.withdraw_complaint(cid, "来电撤回", "staff", as_complainant=False),
        )

    @rule(cid=complaints)
    def assign(self, cid) -> None:
        if self._attempt(cid, "assign", lambda: self.app.assign_complaint(cid, "S009", "admin")):
            self.models[cid].assigned = True

    @rule(
        cid=complaints,
        finding=st.sampled_from(["SUBSTANTIATED", "PARTLY_SUBSTANTIATED", "NOT_SUBSTANTIATED"]),
    )
    def investigate(self, cid, finding) -> None:
        model = self.models[cid]
        self._attempt(
            cid,
            "investigate",
            lambda: self.app.investigate_complaint(cid, finding, "调查", "S009"),
            extra_ok=model.complaint_class != "REFERRED" or model.assigned,
        )

    @rule(cid=complaints)
    def dispose(self, cid) -> None:
        self._attempt(cid, "dispose", lambda: self.app.dispose_complaint(cid, ["处置"], "S009"))

    @rule(cid=complaints, days=st.integers(min_value=1, max_value=30))
    def extend(self, cid, days) -> None:
        model = self.models[cid]
        act = lambda: self.app.extend_complaint_deadline(cid, days, "需要更多时间", "admin")  # noqa: E731
        if self._attempt(cid, "extend", act, extra_ok=not model.extended):
            assert model.due is not None
            model.due = CALENDAR.add_working_days(model.due, days)
            model.extended = True

    @rule(cid=complaints)
    def reply(self, cid) -> None:
        self._attempt(cid, "reply", lambda: self.app.reply_to_complaint(cid, "答复", "S009"))

    @rule(cid=complaints, satisfied=st.booleans())
    def follow_up(self, cid, satisfied) -> None:
        self._attempt(
            cid,
            "follow_up",
            lambda: self.app.follow_up_complaint(cid, satisfied, "", "S009"),
            extra_ok=not self.models[cid].anonymous,
        )

    @rule(cid=complaints)
    def reopen(self, cid) -> None:
        today = local_date(self.now)
        if self._attempt(cid, "reopen", lambda: self.app.reopen_complaint(cid, "再查", "admin")):
            self.models[cid].due = CALENDAR.add_working_days(today, 5)
            self.models[cid].round += 1
            self.models[cid].extended = False

    @rule(cid=complaints)
    def archive(self, cid) -> None:
        self._attempt(cid, "archive", lambda: self.app.archive_complaint(cid, "admin"))

    @rule(cid=complaints, finding=st.sampled_from(["SUBSTANTIATED", "NOT_SUBSTANTIATED"]))
    def next_step_of_the_procedure(self, cid, finding) -> None:
        """Walk the usual path, so that sequences reach the reply, follow-up and archive."""
        step = {
            S.RECEIVED: lambda: self.accept(cid, "REFERRED"),
            S.ACCEPTED: lambda: (
                self.assign(cid)
                if self.models[cid].complaint_class == "REFERRED" and not self.models[cid].assigned
                else self.investigate(cid, finding)
            ),
            S.ASSIGNED: lambda: self.investigate(cid, finding),
            S.INVESTIGATED: lambda: self.dispose(cid),
            S.DISPOSED: lambda: self.reply(cid),
            S.REPLIED: lambda: self.follow_up(cid, False),
            S.FOLLOWED_UP: lambda: self.reopen(cid),
        }.get(self.models[cid].status)
        if step is not None:
            step()

    # -- invariants ------------------------------------------------------------------------

    @invariant()
    def the_state_and_deadline_are_as_expected(self) -> None:
        for cid, model in self.models.items():
            complaint = self.app.get_complaint(cid)  # type: ignore[arg-type]
            assert complaint.status is model.status
            assert complaint.handling_round == model.round
            if model.due is not None:
                assert complaint.due_on == model.due

    @invariant()
    def a_deadline_never_moves_without_an_event_that_says_so(self) -> None:
        for cid in self.models:
            due = None
            for stored in self.app.repository.event_store.get(cid):  # type: ignore[arg-type]
                new_due = getattr(stored, "due_on", due)
                if new_due != due:
                    assert type(stored).__name__ in MOVES_DEADLINE
                due = new_due

    @invariant()
    def archived_only_after_an_answer(self) -> None:
        for cid in self.models:
            names = [type(e).__name__ for e in self.app.repository.event_store.get(cid)]  # type: ignore[arg-type]
            if "Archived" in names:
                assert names[-1] == "Archived"
                assert names[-2] in {"Replied", "FollowedUp", "Rejected", "Withdrawn"}

    @invariant()
    def every_substantiated_finding_has_its_rectification(self) -> None:
        for cid in self.models:
            for e in self.app.repository.event_store.get(cid):  # type: ignore[arg-type]
                if isinstance(e, Complaint.Investigated) and e.finding != "NOT_SUBSTANTIATED":
                    rid = Rectification.create_id("h1", "COMPLAINT", f"{cid}#{e.handling_round}")
                    assert self.app.get_or_none(rid) is not None


ComplaintMachine.TestCase.settings = settings(
    max_examples=60, stateful_step_count=40, deadline=None
)
test_complaint_state_machine = ComplaintMachine.TestCase
