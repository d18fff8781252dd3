"""Staff members (服务人员) of a hall, identified by badge number (工号).

A staff member is onboarded, assigned to windows on an A post (主岗) or a B post (备岗, the
backup who covers the window when its A-post staff member is away: AB岗工作制), signs in
and out of duty at one of those windows, collects training records and is finally
offboarded. Only a member signed in at a window may call tickets there
(:meth:`StaffMember.require_on_duty`). Every event's timestamp is its command's moment
(``now`` or ``timestamp``: the application's clock).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from services.shared import ValidationError, stable_id
from services.shared.ids import BADGE
from services.shared.working_days import local_date
from services.staff.errors import (
    StaffAlreadyAssignedError,
    StaffAlreadySignedInError,
    StaffExistsError,
    StaffNotAssignedError,
    StaffNotOnDutyError,
    StaffNotSignedInError,
    StaffOffboardedError,
    StaffOnDutyError,
    StaffWorkOpenError,
)

__all__ = ["OpenWork", "Post", "StaffExistsError", "StaffMember", "StaffRole", "Training"]

MAX_TEXT = 500


class StaffRole(StrEnum):
    WINDOW_STAFF = "WINDOW_STAFF"
    """窗口工作人员: window staff."""
    AGENT = "AGENT"
    """代办员: 帮办代办 agent."""
    HALL_ADMIN = "HALL_ADMIN"
    SUPERVISOR = "SUPERVISOR"


class Post(StrEnum):
    """The post a staff member holds at a window (AB岗)."""

    A = "A"
    """A岗 (主岗): the window's regular staff member."""
    B = "B"
    """B岗 (备岗): the backup who covers the window when the A post is away."""


@dataclass(frozen=True)
class Training:
    """One training record (培训记录)."""

    course: str
    hours: float
    completed_on: str
    """ISO date."""
    certificate: str


@dataclass(frozen=True)
class OpenWork:
    """How much open work (在办事项) one staff member still holds: what must be handed over
    before they leave (:mod:`services.staff.open_work` finds it)."""

    open_cases: int = 0
    """帮办代办 cases they are responsible for, accepted and not ended."""
    open_complaints: int = 0
    """Complaints assigned to them, not replied to yet."""
    pending_rectifications: int = 0
    """Rectifications (整改) with a step waiting for them."""

    def __bool__(self) -> bool:
        return bool(self.open_cases or self.open_complaints or self.pending_rectifications)

    def describe(self) -> str:
        """E.g. ``2 open cases, 0 open complaints, 1 pending rectification steps``."""
        return (
            f"{self.open_cases} open cases, {self.open_complaints} open complaints, "
            f"{self.pending_rectifications} pending rectification steps"
        )


class StaffMember(Aggregate):
    """A hall's staff member.

    >>> from datetime import UTC
    >>> s = StaffMember(hall_id="demo", badge_number="S001", name="王芳",
    ...                 role="WINDOW_STAFF", skills=["综合受理"], actor="admin",
    ...                 timestamp=datetime(2026, 3, 2, 1, tzinfo=UTC))
    >>> s.role
    <StaffRole.WINDOW_STAFF: 'WINDOW_STAFF'>
    """

    class Onboarded(Aggregate.Created):
        """StaffOnboarded: a staff member joined the hall."""

        hall_id: str
        badge_number: str
        name: str
        role: str
        skills: list[str]
        actor: str

    class AssignedToWindow(Aggregate.Event):
        """StaffAssignedToWindow: the member holds the A or B post at a window."""

        window_code: str
        post: str
        actor: str

    class UnassignedFromWindow(Aggregate.Event):
        """StaffUnassignedFromWindow: the member no longer holds a post at the window."""

        window_code: str
        actor: str

    class SignedIn(Aggregate.Event):
        """StaffSignedIn: the member went on duty (上岗签到) at a window."""

        window_code: str
        signed_in_at: datetime
        actor: str

    class SignedOut(Aggregate.Event):
        """StaffSignedOut: the member went off duty (离岗签退)."""

        window_code: str
        signed_out_at: datetime
        actor: str

    class TrainingRecorded(Aggregate.Event):
        """StaffTrainingRecorded: a completed training (培训) was recorded."""

        course: str
        hours: float
        completed_on: str
        certificate: str
        actor: str

    class Offboarded(Aggregate.Event):
        """StaffOffboarded: the member left the hall."""

        reason: str
        offboarded_at: datetime
        actor: str

    @event(Onboarded)
    def __init__(
        self,
        hall_id: str,
        badge_number: str,
        name: str,
        role: str,
        skills: list[str],
        actor: str,
        *,
        timestamp: datetime,
    ) -> None:
        if not BADGE.match(badge_number):
            raise ValidationError(f"invalid badge number {badge_number!r}")
        if not name.strip() or len(name) > 100:
            raise ValidationError("a staff name is 1 to 100 characters")
        try:
            self.role = StaffRole(role)
        except ValueError:
            raise ValidationError(f"unknown staff role {role!r}") from None
        self.hall_id = hall_id
        self.badge_number = badge_number
        self.name = name.strip()
        self.skills = list(skills)
        self.posts: dict[str, Post] = {}
        """The windows the member is assigned to, and the post held at each."""
        self.on_duty_window = ""
        """The window the member is signed in at ('' when off duty)."""
        self.trainings: list[Training] = []
        self.offboarded = False

    @staticmethod
    def create_id(hall_id: str, badge_number: str) -> UUID:
        """The id of the member onboarded with exactly this badge (onboarding records the
        canonical form, :func:`canonical_badge`)."""
        return stable_id(hall_id, "staff", badge_number)

    @staticmethod
    def lookup_ids(hall_id: str, badge_number: str) -> tuple[UUID, ...]:
        """The ids a badge may name a member by, in the order to try them: its canonical
        form first, then, for members onboarded before badges were canonical (their id is
        that of the badge as they were registered), the badge as given and in lower case."""
        given = badge_number.strip()
        forms = dict.fromkeys((given.upper(), given, given.lower()))
        return tuple(StaffMember.create_id(hall_id, form) for form in forms if form)

    def require_on_duty(self, window_code: str) -> None:
        """Raise :class:`StaffNotOnDutyError` unless signed in at ``window_code``."""
        if not self.offboarded and self.on_duty_window == window_code:
            return
        refusal = f"staff {self.badge_number!r} is not on duty at window {window_code!r}"
        if self.offboarded:
            raise StaffNotOnDutyError(f"{refusal}: they were offboarded")
        if self.on_duty_window:
            raise StaffNotOnDutyError(
                f"{refusal} but at {self.on_duty_window!r}: sign out there and sign in at "
                f"{window_code!r} first (signOutStaff, signInStaff)"
            )
        raise StaffNotOnDutyError(f"{refusal}: sign in there first (signInStaff)")

    def _require_active(self) -> None:
        if self.offboarded:
            raise StaffOffboardedError(f"staff {self.badge_number!r} was offboarded")

    def assign_to_window(self, window_code: str, post: str, now: datetime, actor: str) -> None:
        """Give the member the A or B post at a window (a change of post is a new assignment)."""
        self._require_active()
        try:
            wanted = Post(post)
        except ValueError:
            raise ValidationError(f"unknown post {post!r}; use A or B") from None
        if self.posts.get(window_code) is wanted:
            raise StaffAlreadyAssignedError(
                f"staff {self.badge_number!r} already holds post {post} at {window_code!r}"
            )
        self._assigned(window_code, wanted.value, actor, timestamp=now)

    @event(AssignedToWindow)
    def _assigned(self, window_code: str, post: str, actor: str, *, timestamp: datetime) -> None:
        self.posts[window_code] = Post(post)

    def unassign_from_window(self, window_code: str, now: datetime, actor: str) -> None:
        self._require_active()
        if window_code not in self.posts:
            raise StaffNotAssignedError(
                f"staff {self.badge_number!r} has no post at {window_code!r}"
            )
        if self.on_duty_window == window_code:
            raise StaffOnDutyError(f"staff {self.badge_number!r} is on duty at {window_code!r}")
        self._unassigned(window_code, actor, timestamp=now)

    @event(UnassignedFromWindow)
    def _unassigned(self, window_code: str, actor: str, *, timestamp: datetime) -> None:
        del self.posts[window_code]

    def sign_in(self, window_code: str, now: datetime, actor: str) -> None:
        """上岗签到 at a window where the member holds a post."""
        self._require_active()
        if self.on_duty_window:
            raise StaffAlreadySignedInError(
                f"staff {self.badge_number!r} is already signed in at {self.on_duty_window!r}"
            )
        if window_code not in self.posts:
            raise StaffNotAssignedError(
                f"staff {self.badge_number!r} has no post at {window_code!r}"
            )
        self._signed_in(window_code, now, actor, timestamp=now)

    @event(SignedIn)
    def _signed_in(
        self, window_code: str, signed_in_at: datetime, actor: str, *, timestamp: datetime
    ) -> None:
        self.on_duty_window = window_code

    def sign_out(self, now: datetime, actor: str) -> None:
        """离岗签退 from the window the member is signed in at."""
        self._require_active()
        if not self.on_duty_window:
            raise StaffNotSignedInError(f"staff {self.badge_number!r} is not signed in")
        self._signed_out(self.on_duty_window, now, actor, timestamp=now)

    @event(SignedOut)
    def _signed_out(
        self, window_code: str, signed_out_at: datetime, actor: str, *, timestamp: datetime
    ) -> None:
        self.on_duty_window = ""

    def record_training(
        self,
        course: str,
        hours: float,
        completed_on: date,
        certificate: str,
        now: datetime,
        actor: str,
    ) -> None:
        """Record a completed training; ``completed_on`` is not after today (at ``now``)."""
        self._require_active()
        if not course.strip() or len(course) > 200:
            raise ValidationError("a course name is 1 to 200 characters")
        if not 0 < hours <= 1000:
            raise ValidationError("training hours are more than 0 and at most 1000")
        if completed_on > local_date(now):
            raise ValidationError("a training is recorded once completed, not in advance")
        if len(certificate) > 100:
            raise ValidationError("a certificate number is up to 100 characters")
        self._training_recorded(
            course.strip(),
            float(hours),
            completed_on.isoformat(),
            certificate.strip(),
            actor,
            timestamp=now,
        )

    @event(TrainingRecorded)
    def _training_recorded(
        self,
        course: str,
        hours: float,
        completed_on: str,
        certificate: str,
        actor: str,
        *,
        timestamp: datetime,
    ) -> None:
        self.trainings.append(Training(course, hours, completed_on, certificate))

    def offboard(self, reason: str, open_work: OpenWork, now: datetime, actor: str) -> None:
        """The member leaves the hall; they must be signed out first and hold no open work.

        ``open_work`` is what is still theirs: open cases and complaints must be reassigned
        (and rectification steps seen through) first, or no active member's worklist would
        show them and their deadlines would run out unnoticed.
        """
        self._require_active()
        if self.on_duty_window:
            raise StaffOnDutyError(
                f"staff {self.badge_number!r} is on duty at {self.on_duty_window!r}: sign out"
            )
        if not reason.strip() or len(reason) > MAX_TEXT:
            raise ValidationError(f"offboarding needs a reason (up to {MAX_TEXT} characters)")
        if open_work:
            raise StaffWorkOpenError(
                f"staff {self.badge_number!r} still holds {open_work.describe()}: reassign them "
                "first (reassignAssistanceCase, assignComplaint) and see the rectification "
                "steps through"
            )
        self._offboarded(reason.strip(), now, actor, timestamp=now)

    @event(Offboarded)
    def _offboarded(
        self, reason: str, offboarded_at: datetime, actor: str, *, timestamp: datetime
    ) -> None:
        self.offboarded = True
        self.posts = {}
