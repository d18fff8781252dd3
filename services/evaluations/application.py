"""EvaluationService: staff invite ratings (and reissue lost rating codes), applicants rate,
supervisors decide appeals; the deadline scheduler (and hall admins) apply default ratings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from services.catalog.domain import ServiceItem
from services.evaluations.codes import new_rating_code
from services.evaluations.domain import Evaluation
from services.evaluations.errors import (
    EvaluationExistsError,
    EvaluationNotFoundError,
    ItemNotRatedError,
    ItemWithdrawnError,
    WindowOrStaffNotFoundError,
)
from services.evaluations.invited import InvitedEvaluation
from services.evaluations.policies import (
    bad_rating_rectification_id,
    rectifications_opened_by,
    rectifications_withdrawn_by,
)
from services.halls.application import require_registered_hall
from services.halls.domain import Hall
from services.places.domain import Window
from services.rectifications.domain import Rectification
from services.rectifications.values import SYSTEM_ACTOR
from services.shared.application import HallApplication
from services.shared.errors import ConflictError
from services.staff.directory import find_staff
from services.staff.domain import StaffMember

__all__ = ["EvaluationService", "Invitation", "InvitedEvaluation", "Rating"]

PAGE = 500


@dataclass(frozen=True)
class Invitation:
    """What is to be rated (the command's input): a visit (ticket) or a matter, and who
    served whom. ``applicant_id`` is the opaque id of the applicant; empty when unknown
    (a kiosk ticket, a walk-in): then the invitation gets a one-time rating code (评价码),
    and whoever holds the code may rate."""

    subject_kind: str
    subject_ref: str
    channel: str
    applicant_id: str = ""
    window_code: str = ""
    staff_badge: str = ""
    item_code: str = ""


@dataclass(frozen=True)
class Rating:
    """The applicant's rating (the command's input); ``level`` is a
    :class:`~services.evaluations.values.RatingLevel` value, ``scores`` maps
    :class:`~services.evaluations.values.Indicator` values to 1-5."""

    level: str
    scores: dict[str, int]
    comment: str = ""
    voluntary: bool = True


class EvaluationService(HallApplication):
    """Application service for one hall's evaluations (好差评).

    It owns the process policies "every bad rating opens a rectification" and "a bad rating
    excluded on appeal withdraws it (unless its work is done)": a bad rating and its
    rectification, an exclusion and the withdrawal are saved together, atomically.
    """

    def evaluation_id(self, subject_kind: str, subject_ref: str) -> UUID:
        return Evaluation.create_id(self.hall_id, subject_kind, subject_ref)

    def get_evaluation(self, evaluation_id: UUID) -> Evaluation:
        evaluation = self.get_or_none(evaluation_id)
        if not isinstance(evaluation, Evaluation):
            raise EvaluationNotFoundError(f"no evaluation {evaluation_id} in this hall")
        return evaluation

    def _save(self, evaluation: Evaluation, *others: Aggregate) -> Evaluation:
        conflict = ConflictError(f"evaluation {evaluation.id} changed concurrently")
        self.save_or_conflict(evaluation, *others, conflict=conflict)
        return evaluation

    def _require_rated_item(self, code: str) -> None:
        """The item of the hall's catalog an invitation names: published, not withdrawn and
        rated (``rated=True``); an unknown or unrated item is a :class:`ItemNotRatedError`
        (``VALIDATION``), a withdrawn one a :class:`ItemWithdrawnError` (``CONFLICT``)."""
        item = self.get_or_none(ServiceItem.create_id(self.hall_id, code))
        if not isinstance(item, ServiceItem):
            raise ItemNotRatedError(f"not in this hall's catalog: {code}")
        if item.withdrawn:
            raise ItemWithdrawnError(f"item {code!r} was withdrawn from this hall's catalog")
        if not item.rated:
            raise ItemNotRatedError(f"item {code!r} takes no ratings (published as not rated)")

    def _require_served_by(self, window_code: str, staff_badge: str) -> None:
        """Who served the visit, as the invitation names them: a window configured in the
        hall (whatever its status: windows close at the end of each day) and a member
        onboarded and not offboarded (the invitation comes at the end of the visit: a member
        who left served none), else a :class:`WindowOrStaffNotFoundError` (``NOT_FOUND``)."""
        if window_code and not isinstance(
            self.get_or_none(Window.create_id(self.hall_id, window_code)), Window
        ):
            raise WindowOrStaffNotFoundError(f"no window {window_code!r} in this hall")
        if staff_badge:
            member = find_staff(self, staff_badge)
            if member is None or member.offboarded:
                raise WindowOrStaffNotFoundError(
                    f"no staff member with badge {staff_badge!r} serving in this hall"
                )

    def _read_by_invitation(self, invitation: Invitation, evaluation_id: UUID) -> list[UUID]:
        """What :meth:`invite_evaluation` reads, read ahead together."""
        ids = [Hall.create_id(self.hall_id), evaluation_id]
        if invitation.item_code:
            ids.append(ServiceItem.create_id(self.hall_id, invitation.item_code))
        if invitation.window_code:
            ids.append(Window.create_id(self.hall_id, invitation.window_code))
        if invitation.staff_badge:
            ids.extend(StaffMember.lookup_ids(self.hall_id, invitation.staff_badge))
        return ids

    def invite_evaluation(self, invitation: Invitation, actor: str) -> InvitedEvaluation:
        """Invite the applicant to rate a visit or matter (staff, or the system after service).

        An invitation that names an item (``item_code``) needs it published in the hall's
        catalog, not withdrawn and rated (:meth:`_require_rated_item`); one that names none
        is rated as the hall's. A window code and a badge it names must be the hall's: a
        window configured there, a member onboarded and not offboarded
        (:meth:`_require_served_by`, checked after their format). Without an applicant id the
        invitation gets a fresh rating code, returned once in the result (for the ticket or
        receipt): rating then takes that code.
        """
        exists = EvaluationExistsError(
            f"{invitation.subject_kind} {invitation.subject_ref} was already invited"
        )
        evaluation_id = self.evaluation_id(invitation.subject_kind, invitation.subject_ref)
        with self.reading_ahead(*self._read_by_invitation(invitation, evaluation_id)):
            policies = require_registered_hall(self).policies
            if self.get_or_none(evaluation_id):
                raise exists
            if invitation.item_code:
                self._require_rated_item(invitation.item_code)
            rating_code = "" if invitation.applicant_id else new_rating_code()
            evaluation = Evaluation.invite(
                hall_id=self.hall_id,
                subject_kind=invitation.subject_kind,
                subject_ref=invitation.subject_ref,
                channel=invitation.channel,
                applicant_id=invitation.applicant_id,
                window_code=invitation.window_code,
                staff_badge=invitation.staff_badge,
                item_code=invitation.item_code,
                rating_code=rating_code,
                now=self.clock(),
                unrated_default_days=policies.unrated_default_days,
                actor=actor,
            )
            self._require_served_by(invitation.window_code, invitation.staff_badge)
        self.save_or_conflict(evaluation, conflict=exists)
        return InvitedEvaluation(evaluation, rating_code)

    def reissue_rating_code(self, evaluation_id: UUID, actor: str) -> InvitedEvaluation:
        """补发评价码 (hall staff, hall admins): a new one-time code for an invitation that
        names no applicant and is still open, its old code lost; the old code rates nothing
        from then on. Returned here only, like the first: ``RatingCodeReissued`` keeps the
        hash, with ``actor`` and the moment. The aggregate refuses an invitation that names
        its applicant (:class:`RatingCodeNotReissuableError`) or is no longer open
        (:class:`RatingAlreadySubmittedError`, :class:`RatingPeriodOverError`), all
        ``CONFLICT``; another hall's evaluation is not found here."""
        evaluation = self.get_evaluation(evaluation_id)
        rating_code = new_rating_code()
        evaluation.reissue_rating_code(rating_code, now=self.clock(), actor=actor)
        self._save(evaluation)
        return InvitedEvaluation(evaluation, rating_code)

    def submit_rating(
        self, evaluation_id: UUID, rating: Rating, actor: str, *, rating_code: str = ""
    ) -> Evaluation:
        """Rate once (applicants); a bad rating opens its rectification in the same save.

        ``actor`` is the rater's applicant id; an invitation that names no applicant also
        takes its ``rating_code`` (:class:`RatingCodeError` when missing or wrong).
        """
        with self.reading_ahead(Hall.create_id(self.hall_id), evaluation_id):
            policies = require_registered_hall(self).policies
            evaluation = self.get_evaluation(evaluation_id)
        now = self.clock()
        evaluation.submit(
            rating.level,
            dict(rating.scores),
            rating.comment,
            voluntary=rating.voluntary,
            now=now,
            actor=actor,
            rating_code=rating_code,
        )
        opened = rectifications_opened_by(
            evaluation, now=now, calendar=lambda: self.calendar, policies=policies
        )
        return self._save(evaluation, *opened)

    def apply_default_rating(
        self, evaluation_id: UUID, actor: str = SYSTEM_ACTOR, *, now: datetime | None = None
    ) -> Evaluation:
        """系统默认评价 of one invitation whose period is over, at ``now`` (default: the
        application's clock). The deadline scheduler calls it as ``system`` with its own
        clock's ``now`` (``services/scheduler/evaluations.py``). The aggregate decides: an
        invitation already rated or defaulted raises :class:`RatingAlreadySubmittedError`, one
        whose period is still open :class:`RatingNotDueError`; nothing is recorded then."""
        evaluation = self.get_evaluation(evaluation_id)
        evaluation.apply_default(now=now or self.clock(), actor=actor)
        return self._save(evaluation)

    def apply_default_ratings(self, now: datetime | None = None, actor: str = SYSTEM_ACTOR) -> int:
        """系统默认评价 of every unrated invitation of the hall whose period is over; returns
        how many were defaulted; running it again changes nothing. Hall admins call it (the
        gateway passes them as ``actor``); it reads the hall's whole log, so the deadline
        scheduler defaults the due invitations one by one instead (:meth:`apply_default_rating`)."""
        moment = now or self.clock()
        defaulted = 0
        for evaluation_id in self._invited_ids():
            evaluation = self.get_evaluation(evaluation_id)
            if evaluation.default_is_due(moment):
                evaluation.apply_default(now=moment, actor=actor)
                self._save(evaluation)
                defaulted += 1
        return defaulted

    def append_rating(self, evaluation_id: UUID, comment: str, actor: str) -> Evaluation:
        """追评 (the rater)."""
        evaluation = self.get_evaluation(evaluation_id)
        evaluation.append(comment, now=self.clock(), actor=actor)
        return self._save(evaluation)

    def appeal_rating(
        self, evaluation_id: UUID, reason: str, explanation: str, actor: str
    ) -> Evaluation:
        """申诉 (staff, hall admins)."""
        evaluation = self.get_evaluation(evaluation_id)
        evaluation.appeal(reason, explanation, now=self.clock(), actor=actor)
        return self._save(evaluation)

    def exclude_rating(self, evaluation_id: UUID, note: str, actor: str) -> Evaluation:
        """甄别剔除: uphold the appeal (supervisors). The rectification a bad rating opened is
        withdrawn (撤销, ``RectificationWithdrawn`` as ``system``, with the note) in the same
        save, unless its work is done (completed, fed back, closed: it stays as it is).

        A step of that rectification saved concurrently makes the exclusion a
        ``ConflictError`` (nothing recorded; try again)."""
        rectification_id = bad_rating_rectification_id(self.hall_id, evaluation_id)
        with self.reading_ahead(evaluation_id, rectification_id):
            evaluation = self.get_evaluation(evaluation_id)
            now = self.clock()
            evaluation.exclude(note, now=now, actor=actor)
            withdrawn = rectifications_withdrawn_by(
                evaluation, now=now, rectification=self._rectification
            )
        conflict = ConflictError(
            f"evaluation {evaluation.id} or its rectification changed concurrently"
        )
        self.save_or_conflict(evaluation, *withdrawn, conflict=conflict)
        return evaluation

    def _rectification(self, rectification_id: UUID) -> Rectification | None:
        found = self.get_or_none(rectification_id)
        return found if isinstance(found, Rectification) else None

    def reject_rating_appeal(self, evaluation_id: UUID, note: str, actor: str) -> Evaluation:
        """Reject the appeal (supervisors)."""
        evaluation = self.get_evaluation(evaluation_id)
        evaluation.reject_appeal(note, now=self.clock(), actor=actor)
        return self._save(evaluation)

    def _invited_ids(self) -> list[UUID]:
        topic = get_topic(Evaluation.Invited)
        ids: list[UUID] = []
        start: int | None = 1
        while start is not None:
            page = self.recorder.select_notifications(start=start, limit=PAGE, topics=[topic])
            ids += [UUID(str(n.originator_id)) for n in page]
            start = page[-1].id + 1 if len(page) == PAGE else None
        return ids
