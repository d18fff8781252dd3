"""The evaluation aggregate (好差评): one per visit (一次一评) or per matter (一事一评).

An evaluation starts with the invitation after the service; the person served rates it
once, or, when the hall's unrated period (natural days) is over, it counts as 基本满意 by
default. The rater shows they were served by their applicant id (the invitation names it) or,
for an invitation without one (a kiosk ticket, a walk-in), by the invitation's one-time
rating code (评价码, :mod:`services.evaluations.codes`), which hall staff may reissue while
the invitation is unrated (a lost code: the old one then rates nothing).
Every command takes its moment (``now``) from the application's clock, or from the deadline
scheduler's for a default rating; it is also the timestamp of the event recorded.

>>> from datetime import datetime, UTC
>>> e = Evaluation.invite(hall_id="demo", subject_kind="VISIT", subject_ref="T-1",
...     channel="OFFLINE", applicant_id="a-1", window_code="W01", staff_badge="S001",
...     item_code="", rating_code="", now=datetime(2026, 5, 6, 1, tzinfo=UTC),
...     unrated_default_days=7, actor="S001")
>>> e.default_on, e.created_on == datetime(2026, 5, 6, 1, tzinfo=UTC)
(datetime.date(2026, 5, 13), True)
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from services.evaluations.codes import (
    RATING_CODE,
    RATING_CODE_HASH,
    rating_code_hash,
    rating_code_matches,
)
from services.evaluations.errors import (
    AppealStateError,
    NotTheRaterError,
    RatingAlreadySubmittedError,
    RatingCodeError,
    RatingCodeNotReissuableError,
    RatingNotDueError,
    RatingPeriodOverError,
    RatingStateError,
)
from services.evaluations.values import (
    INDICATORS,
    ITEM_CODE,
    REF,
    AppealReason,
    EvaluationChannel,
    EvaluationStatus,
    Indicator,
    RatingLevel,
    SubjectKind,
    parse_enum,
    require_text,
)
from services.shared.errors import ValidationError
from services.shared.ids import BADGE, PLACE_CODE, normal_badge, stable_id
from services.shared.working_days import local_date

__all__ = ["Evaluation"]

S = EvaluationStatus
MAX_COMMENT = 500
MAX_TEXT = 2000


REF_FORM = (
    "1-64 letters, digits and '.', '_', ':', '@' or '-' (no '/' or space), starting with a "
    "letter or digit"
)
"""What :data:`REF` takes, for the refusals."""


def _check_ref(value: str, pattern_what: str, *, optional: bool = True, example: str = "") -> None:
    if (value or not optional) and not REF.match(value):
        e_g = f", e.g. {example}" if example else ""
        raise ValidationError(f"invalid {pattern_what} {value!r}: use {REF_FORM}{e_g}")


class Evaluation(Aggregate):
    """The rating of one visit or matter; its id derives from (hall, kind, reference)."""

    class Invited(Aggregate.Created):
        """EvaluationInvited: the applicant was invited to rate a visit or a matter.

        v2 added ``rating_code_hash``: for an invitation without an applicant id, the
        SHA-256 (hex) of the evaluation id and its one-time rating code; ``""`` otherwise.
        v1 events are read back with ``""``: an old invitation without an applicant id can
        then not be rated by any applicant, only by default, unless staff reissue it a code
        (``RatingCodeReissued``).
        """

        class_version = 2
        hall_id: str
        subject_kind: str
        subject_ref: str
        channel: str
        applicant_id: str
        window_code: str
        staff_badge: str
        item_code: str
        default_on: str
        rating_code_hash: str
        actor: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """v1 had no rating codes."""
            state["rating_code_hash"] = ""

    class RatingCodeReissued(Aggregate.Event):
        """RatingCodeReissued: staff gave the holder of an anonymous invitation a new
        one-time rating code (补发评价码), the old one lost; ``rating_code_hash`` is the new
        code's hash (as in ``Invited``), the code itself is never recorded."""

        rating_code_hash: str
        actor: str

    class RatingSubmitted(Aggregate.Event):
        """RatingSubmitted: the applicant rated the service (一次一评、一事一评)."""

        applicant_id: str
        level: str
        scores: dict[str, int]
        comment: str
        voluntary: bool
        actor: str

    class RatingDefaulted(Aggregate.Event):
        """RatingDefaulted: unrated when the period ended; counts as 基本满意 (系统默认)."""

        level: str
        actor: str

    class RatingAppended(Aggregate.Event):
        """RatingAppended: the rater added a later comment (追评)."""

        applicant_id: str
        comment: str
        actor: str

    class RatingAppealed(Aggregate.Event):
        """RatingAppealed: the hall appealed the rating as mistaken or malicious (申诉)."""

        reason: str
        explanation: str
        actor: str

    class RatingExcluded(Aggregate.Event):
        """RatingExcluded: the appeal succeeded; the rating stays in the history but no
        longer counts (甄别剔除)."""

        note: str
        actor: str

    class AppealRejected(Aggregate.Event):
        """RatingAppealRejected: the appeal failed; the rating counts."""

        note: str
        actor: str

    @classmethod
    def invite(
        cls,
        *,
        hall_id: str,
        subject_kind: str,
        subject_ref: str,
        channel: str,
        applicant_id: str,
        window_code: str,
        staff_badge: str,
        item_code: str,
        rating_code: str,
        now: datetime,
        unrated_default_days: int,
        actor: str,
    ) -> Evaluation:
        """Invite a rating; unrated, it defaults ``unrated_default_days`` natural days later.

        An invitation names the applicant served (``applicant_id``) or, when they are not
        known, takes a fresh one-time ``rating_code`` (never both), of which the event
        keeps only the hash.
        """
        if applicant_id and rating_code:
            raise ValidationError("an invitation with an applicant id takes no rating code")
        if not applicant_id and not RATING_CODE.match(rating_code):
            raise ValidationError(
                "an invitation without an applicant id needs a rating code (评价码) of 16-64 "
                "characters A-Z a-z 0-9 - _"
            )
        code_hash = ""
        if rating_code:
            evaluation_id = cls.create_id(hall_id, subject_kind, subject_ref)
            code_hash = rating_code_hash(evaluation_id, rating_code)
        default_on = local_date(now) + timedelta(days=unrated_default_days)
        return cls(
            hall_id=hall_id,
            subject_kind=subject_kind,
            subject_ref=subject_ref,
            channel=channel,
            applicant_id=applicant_id,
            window_code=window_code,
            staff_badge=normal_badge(staff_badge),  # 工号 in its canonical form: s001 is S001
            item_code=item_code,
            default_on=default_on.isoformat(),
            rating_code_hash=code_hash,
            actor=actor,
            timestamp=now,
        )

    @staticmethod
    def create_id(hall_id: str, subject_kind: str, subject_ref: str) -> UUID:
        """One evaluation per visit or matter: the id derives from what is rated."""
        return stable_id(hall_id, "evaluation", f"{subject_kind}/{subject_ref}")

    @event(Invited)
    def __init__(
        self,
        hall_id: str,
        subject_kind: str,
        subject_ref: str,
        channel: str,
        applicant_id: str,
        window_code: str,
        staff_badge: str,
        item_code: str,
        default_on: str,
        rating_code_hash: str,
        actor: str,
        *,
        timestamp: datetime,
    ) -> None:
        self.subject_kind = parse_enum(SubjectKind, subject_kind, "subject kind")
        self.channel = parse_enum(EvaluationChannel, channel, "channel")
        _check_ref(
            subject_ref,
            "visit or matter reference",
            optional=False,
            example="a ticket as <queue>:<service day>:<number> (Q-GEN:2026-11-27:2)",
        )
        _check_ref(applicant_id, "applicant id")
        if window_code and not PLACE_CODE.match(window_code):
            raise ValidationError(f"invalid window code {window_code!r}")
        if staff_badge and not BADGE.match(staff_badge):
            raise ValidationError(f"invalid badge number {staff_badge!r}")
        if item_code and not ITEM_CODE.match(item_code):
            raise ValidationError(f"invalid item code {item_code!r}")
        if rating_code_hash and not RATING_CODE_HASH.match(rating_code_hash):
            raise ValidationError("invalid rating code hash")
        self.hall_id = hall_id
        self.subject_ref = subject_ref
        self.applicant_id = applicant_id
        self.window_code = window_code
        self.staff_badge = staff_badge
        self.item_code = item_code
        self.rating_code_hash = rating_code_hash
        self.default_on = date.fromisoformat(default_on)
        self.status = S.INVITED
        self.level: RatingLevel | None = None
        self.scores: dict[str, int] = {}
        self.voluntary: bool | None = None
        self.rater_id = ""
        self.appended = False
        self.appeal_reason: AppealReason | None = None
        self.appeal_pending = False
        self.excluded = False

    @property
    def is_bad(self) -> bool:
        """A bad rating (差评) that counts (not excluded)."""
        return self.level is not None and self.level.is_bad and not self.excluded

    # -- 评价码 ---------------------------------------------------------------------------------

    def reissue_rating_code(self, rating_code: str, *, now: datetime, actor: str) -> None:
        """补发评价码: replace the one-time code of an invitation that names no applicant.

        For a code lost before it was used (the evaluator screen failed, the receipt did not
        print, the response never arrived): the new ``rating_code`` rates, the old one no
        longer does. Only while the invitation is open: not rated, not defaulted (nor, then,
        excluded) and its rating period not over. An invitation naming its applicant has no
        code: they rate from their account (:class:`RatingCodeNotReissuableError`). Staff
        choose nothing of the rating: whoever holds the new code still rates it.
        """
        if self.applicant_id:
            raise RatingCodeNotReissuableError(
                "this invitation names its applicant, who rates from their account: it has "
                "no rating code (评价码) to reissue"
            )
        if self.status is not S.INVITED:
            raise RatingAlreadySubmittedError(
                f"{self.subject_kind.value} {self.subject_ref} is already rated: its rating "
                "code (评价码) is not reissued"
            )
        if local_date(now) >= self.default_on:
            raise RatingPeriodOverError(
                f"the rating period ended on {self.default_on.isoformat()}: no new rating code"
            )
        if not RATING_CODE.match(rating_code):
            raise ValidationError("a rating code (评价码) is 16-64 characters A-Z a-z 0-9 - _")
        code_hash = rating_code_hash(self.id, rating_code)
        self._rating_code_reissued(code_hash, actor, timestamp=now)

    @event(RatingCodeReissued)
    def _rating_code_reissued(
        self, rating_code_hash: str, actor: str, *, timestamp: datetime
    ) -> None:
        self.rating_code_hash = rating_code_hash

    # -- 评价 --------------------------------------------------------------------------------

    def submit(
        self,
        level: str,
        scores: dict[str, int],
        comment: str,
        *,
        voluntary: bool,
        now: datetime,
        actor: str,
        rating_code: str = "",
    ) -> None:
        """Rate the visit or matter, once: five levels, indicator scores 1-5, a comment.

        ``voluntary`` tells a rating the applicant gave on their own (主动评价) from one
        given when prompted; ``actor`` is the rater's applicant id. Without an applicant id
        in the invitation, ``rating_code`` must be the invitation's one-time code.
        """
        if self.status is not S.INVITED:
            raise RatingAlreadySubmittedError(
                f"{self.subject_kind.value} {self.subject_ref} is already rated"
            )
        if local_date(now) >= self.default_on:
            raise RatingPeriodOverError(f"the rating period ended on {self.default_on.isoformat()}")
        self._check_rater(actor, rating_code)
        _check_ref(actor, "applicant id", optional=False)
        rated = parse_enum(RatingLevel, level, "rating level")
        allowed = INDICATORS[self.channel]
        for name, score in scores.items():
            if parse_enum(Indicator, name, "indicator") not in allowed:
                raise ValidationError(f"{name} is not an indicator of {self.channel.value} service")
            if not 1 <= score <= 5:
                raise ValidationError("an indicator score is 1 (非常不满意) to 5 (非常满意)")
        text = require_text(comment, "the comment", MAX_COMMENT, optional=True)
        self._rating_submitted(
            actor, rated.value, dict(scores), text, voluntary, actor, timestamp=now
        )

    def _check_rater(self, actor: str, rating_code: str) -> None:
        """Only the person served rates: the invited applicant, or whoever holds the code."""
        if self.applicant_id:
            if actor != self.applicant_id:
                raise NotTheRaterError("only the applicant who was served may rate this service")
        elif not self.rating_code_hash:
            raise NotTheRaterError(
                "this invitation names no applicant and has no rating code (invited before "
                "rating codes): staff may issue one (reissueRatingCode), else it counts as "
                "rated by default when its rating period is over"
            )
        elif not rating_code:
            raise RatingCodeError(
                "rating this service takes its rating code (评价码), printed on the ticket or "
                "receipt"
            )
        elif not rating_code_matches(self.rating_code_hash, self.id, rating_code.strip()):
            raise RatingCodeError("the rating code does not match this service")

    @event(RatingSubmitted)
    def _rating_submitted(
        self,
        applicant_id: str,
        level: str,
        scores: dict[str, int],
        comment: str,
        voluntary: bool,
        actor: str,
        *,
        timestamp: datetime,
    ) -> None:
        self.status = S.RATED
        self.rater_id = applicant_id
        self.level = RatingLevel(level)
        self.scores = dict(scores)
        self.voluntary = voluntary

    def apply_default(self, *, now: datetime, actor: str) -> None:
        """系统默认评价: unrated when the period ends, the visit counts as 基本满意."""
        if self.status is not S.INVITED:
            raise RatingAlreadySubmittedError(
                f"{self.subject_kind.value} {self.subject_ref} is already rated"
            )
        if local_date(now) < self.default_on:
            raise RatingNotDueError(f"the rating period runs until {self.default_on.isoformat()}")
        self._rating_defaulted(RatingLevel.BASIC.value, actor, timestamp=now)

    def default_is_due(self, now: datetime) -> bool:
        return self.status is S.INVITED and local_date(now) >= self.default_on

    @event(RatingDefaulted)
    def _rating_defaulted(self, level: str, actor: str, *, timestamp: datetime) -> None:
        self.status = S.DEFAULTED
        self.level = RatingLevel(level)

    def append(self, comment: str, *, now: datetime, actor: str) -> None:
        """追评: the rater adds a later comment, once; the level does not change."""
        if self.status is not S.RATED:
            raise RatingStateError("only a rating the applicant submitted can be appended to")
        if actor != self.rater_id:
            raise NotTheRaterError("only the rater may append to the rating")
        if self.appended:
            raise RatingStateError("the rating was already appended to (追评 once)")
        text = require_text(comment, "the comment", MAX_COMMENT)
        self._rating_appended(self.rater_id, text, actor, timestamp=now)

    @event(RatingAppended)
    def _rating_appended(
        self, applicant_id: str, comment: str, actor: str, *, timestamp: datetime
    ) -> None:
        self.appended = True

    # -- 申诉, 甄别 --------------------------------------------------------------------------

    def appeal(self, reason: str, explanation: str, *, now: datetime, actor: str) -> None:
        """申诉: the hall asks to exclude a mistaken or malicious rating (once per rating)."""
        if self.status is not S.RATED:
            raise AppealStateError("only a rating the applicant submitted can be appealed")
        if self.appeal_reason is not None:
            raise AppealStateError("the rating was already appealed")
        why = parse_enum(AppealReason, reason, "appeal reason")
        text = require_text(explanation, "the explanation", MAX_TEXT)
        self._rating_appealed(why.value, text, actor, timestamp=now)

    @event(RatingAppealed)
    def _rating_appealed(
        self, reason: str, explanation: str, actor: str, *, timestamp: datetime
    ) -> None:
        self.appeal_reason = AppealReason(reason)
        self.appeal_pending = True

    def exclude(self, note: str, *, now: datetime, actor: str) -> None:
        """甄别剔除: uphold the appeal; the rating stays in the history, marked excluded."""
        if not self.appeal_pending:
            raise AppealStateError("the rating has no pending appeal")
        self._rating_excluded(require_text(note, "the note", MAX_TEXT), actor, timestamp=now)

    @event(RatingExcluded)
    def _rating_excluded(self, note: str, actor: str, *, timestamp: datetime) -> None:
        self.appeal_pending = False
        self.excluded = True

    def reject_appeal(self, note: str, *, now: datetime, actor: str) -> None:
        """Reject the appeal: the rating counts."""
        if not self.appeal_pending:
            raise AppealStateError("the rating has no pending appeal")
        self._appeal_rejected(require_text(note, "the note", MAX_TEXT), actor, timestamp=now)

    @event(AppealRejected)
    def _appeal_rejected(self, note: str, actor: str, *, timestamp: datetime) -> None:
        self.appeal_pending = False
