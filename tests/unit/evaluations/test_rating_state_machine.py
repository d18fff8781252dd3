"""Random command sequences against ratings (hypothesis, stateful).

Visits are invited with the applicant's id or, without one, with a one-time rating code;
only the invited applicant, or whoever gives the right code, rates.

Invariants: a visit or matter is rated once (by the applicant or by default, never both,
never twice); every bad rating has its rectification, saved with it; the default date of an
invitation never moves; a refused command records nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from eventsourcing.persistence import ApplicationRecorder
from eventsourcing.popo import POPOApplicationRecorder
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from services.evaluations import (
    Evaluation,
    EvaluationError,
    EvaluationService,
    EvaluationStatus,
    Invitation,
    Rating,
    RatingLevel,
)
from services.evaluations.policies import rectification_id_for
from services.halls import HallRegistry
from services.places import PlacesService
from services.shared.application import HallApplication
from services.shared.working_days import CHINA_TZ, local_date
from services.staff import StaffService

REFS = [f"T-{n}" for n in range(4)]
RATERS = ["a-1", "a-2"]
INVITED = [*RATERS, ""]  # "": no applicant id, a rating code instead
CODES = ["right", "wrong", "none"]
LEVELS = [level.value for level in RatingLevel]
RATINGS = (Evaluation.RatingSubmitted, Evaluation.RatingDefaulted)


def _app(cls: type[HallApplication], recorder: ApplicationRecorder) -> HallApplication:
    class InMemory(cls):  # type: ignore[valid-type,misc]
        name = cls.__name__

        def construct_recorder(self) -> ApplicationRecorder:
            return recorder

    app = InMemory()
    app.hall_id = "h1"
    return app


class RatingMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        recorder = POPOApplicationRecorder()
        _app(HallRegistry, recorder).register_hall("一号大厅", "苏州", "op")  # type: ignore[attr-defined]
        _app(PlacesService, recorder).configure_window(  # type: ignore[attr-defined]
            "W01", "综合窗口一", "COMPREHENSIVE", [], "admin"
        )
        _app(StaffService, recorder).onboard_staff(  # type: ignore[attr-defined]
            "S001", "员工一", "WINDOW_STAFF", [], "admin"
        )
        self.now = datetime(2026, 5, 6, 10, tzinfo=CHINA_TZ)
        self.app = _app(EvaluationService, recorder)
        assert isinstance(self.app, EvaluationService)
        self.app.clock = lambda: self.now
        self.invited: dict[str, str] = {}  # subject ref → the applicant invited ("": none)
        self.codes: dict[str, str] = {}  # subject ref → its rating code ("": none)
        self.default_on: dict[str, str] = {}

    def _id(self, ref: str):
        return self.app.evaluation_id("VISIT", ref)

    def _refused_records_nothing(self, act) -> bool:
        before = self.app.recorder.max_notification_id()
        try:
            act()
        except EvaluationError:
            assert self.app.recorder.max_notification_id() == before
            return False
        return True

    @rule(ref=st.sampled_from(REFS), applicant=st.sampled_from(INVITED))
    def invite(self, ref: str, applicant: str) -> None:
        invitation = Invitation("VISIT", ref, "OFFLINE", applicant, "W01", "S001")
        invited = []
        ok = self._refused_records_nothing(
            lambda: invited.append(self.app.invite_evaluation(invitation, "S001"))
        )
        assert ok == (ref not in self.invited)
        if ok:
            self.invited[ref] = applicant
            self.codes[ref] = invited[0].rating_code
            assert bool(self.codes[ref]) == (applicant == "")
            self.default_on[ref] = self.app.get_evaluation(self._id(ref)).default_on.isoformat()

    @rule(
        ref=st.sampled_from(REFS),
        rater=st.sampled_from(RATERS),
        level=st.sampled_from(LEVELS),
        overall=st.integers(1, 5),
        code=st.sampled_from(CODES),
    )
    def rate(self, ref: str, rater: str, level: str, overall: int, code: str) -> None:
        rating = Rating(level, {"OVERALL": overall}, "评价", voluntary=overall % 2 == 0)
        before = self.app.get_or_none(self._id(ref))
        right = self.codes.get(ref, "")
        given = {"right": right, "wrong": "W" * 16, "none": ""}[code]
        ok = self._refused_records_nothing(
            lambda: self.app.submit_rating(self._id(ref), rating, rater, rating_code=given)
        )
        expected = (
            before is not None
            and before.status is EvaluationStatus.INVITED
            and (
                rater == self.invited[ref] if self.invited[ref] else bool(right) and given == right
            )
            and local_date(self.now) < before.default_on
        )
        assert ok == expected

    @rule(days=st.integers(0, 5), hours=st.integers(0, 23))
    def time_passes(self, days: int, hours: int) -> None:
        self.now += timedelta(days=days, hours=hours)

    @rule()
    def scheduler_applies_defaults(self) -> None:
        due = [
            ref
            for ref in self.invited
            if self.app.get_evaluation(self._id(ref)).default_is_due(self.now)
        ]
        assert self.app.apply_default_ratings() == len(due)

    @rule(ref=st.sampled_from(REFS), rater=st.sampled_from(RATERS))
    def append(self, ref: str, rater: str) -> None:
        self._refused_records_nothing(lambda: self.app.append_rating(self._id(ref), "追评", rater))

    @rule(ref=st.sampled_from(REFS), uphold=st.booleans())
    def appeal(self, ref: str, uphold: bool) -> None:
        eid = self._id(ref)
        if self._refused_records_nothing(
            lambda: self.app.appeal_rating(eid, "MISTAKEN", "误评", "S001")
        ):
            decide = self.app.exclude_rating if uphold else self.app.reject_rating_appeal
            decide(eid, "甄别", "sup-1")

    @invariant()
    def a_visit_is_rated_once(self) -> None:
        for ref in self.invited:
            events = list(self.app.repository.event_store.get(self._id(ref)))
            assert sum(isinstance(e, RATINGS) for e in events) <= 1

    @invariant()
    def every_bad_rating_has_a_rectification(self) -> None:
        for ref in self.invited:
            evaluation = self.app.get_evaluation(self._id(ref))
            bad = evaluation.status is EvaluationStatus.RATED and evaluation.level.is_bad
            rectification = self.app.get_or_none(rectification_id_for(evaluation))
            assert (rectification is not None) == bad

    @invariant()
    def the_default_date_never_moves(self) -> None:
        for ref, default_on in self.default_on.items():
            events = list(self.app.repository.event_store.get(self._id(ref)))
            dates = {e.default_on for e in events if hasattr(e, "default_on")}
            assert dates == {default_on}

    @invariant()
    def the_default_level_is_basic(self) -> None:
        for ref in self.invited:
            evaluation = self.app.get_evaluation(self._id(ref))
            if evaluation.status is EvaluationStatus.DEFAULTED:
                assert evaluation.level is RatingLevel.BASIC


RatingMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=40, deadline=None)
test_rating_state_machine = RatingMachine.TestCase
