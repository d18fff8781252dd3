"""Projection "evaluation_ratings": one row per invitation to rate (好差评), from its events.

The statistics (:mod:`projections.evaluations.statistics`) count these rows. A rating counts
in the month of the service (the invitation's day in China). A default rating
(``RatingDefaulted``) is kept as BASIC and not voluntary; an excluded one (``RatingExcluded``,
甄别剔除) stays in the row, marked. The rectification a bad rating opens is linked from
``RectificationOpened`` (source ``BAD_RATING``, its source id is the evaluation id).

A reissued rating code (``RatingCodeReissued``, 补发评价码) is not handled: it rates nothing
and changes nothing a row shows (the row keeps no code or hash), so the statistics cannot
count it; the audit trail lists it.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache, partial, singledispatchmethod
from typing import Any, cast
from uuid import UUID

import msgspec
import psycopg
from eventsourcing.utils import get_topic

from projections.runtime import Batch, BatchRows, EventRow, Projection, RowTable, update_record
from projections.runtime.decoding import StoredDatetime
from services.evaluations.domain import Evaluation
from services.rectifications.domain import Rectification
from services.rectifications.values import RectificationSource
from services.shared.working_days import local_date

__all__ = ["EvaluationRatingsProjection"]

RATINGS = RowTable(
    "evaluation_ratings",
    key=("tenant_id", "evaluation_id"),
    columns=(
        "tenant_id",
        "evaluation_id",
        "invited_position",
        "subject_kind",
        "subject_ref",
        "channel",
        "applicant_id",
        "rater_id",
        "window_code",
        "staff_badge",
        "item_code",
        "invited_at",
        "invited_on",
        "month",
        "default_on",
        "status",
        "level",
        "voluntary",
        "rated_at",
        "appended",
        "appeal_state",
        "appeal_reason",
        "excluded",
        "rectification_id",
        "updated_at",
        "version",
        "position",
    ),
)


_update = partial(update_record, table=RATINGS)
"""Set columns of the event's evaluation, with the row's bookkeeping."""


@lru_cache(maxsize=4096)
def _month(served_on: date) -> str:
    """``YYYY-MM`` of a day (one ``strftime`` per day, not per invitation)."""
    return served_on.strftime("%Y-%m")


def _invitation_row(
    tenant_id: str, p: int, evaluation_id: UUID, version: int, at: datetime, e: _Invitation
) -> dict[str, Any]:
    served_on = local_date(at)
    return {
        "tenant_id": tenant_id,
        "evaluation_id": evaluation_id,
        "invited_position": p,
        "subject_kind": e.subject_kind,
        "subject_ref": e.subject_ref,
        "channel": e.channel,
        "applicant_id": e.applicant_id,
        "window_code": e.window_code,
        "staff_badge": e.staff_badge,
        "item_code": e.item_code,
        "invited_at": at,
        "invited_on": served_on,
        "month": _month(served_on),
        "default_on": date.fromisoformat(e.default_on),
        "status": "INVITED",
        "appended": False,
        "appeal_state": "NONE",
        "excluded": False,
        "updated_at": at,
        "version": version,
        "position": p,
    }


def _rating_sets(p: int, version: int, at: datetime, e: _Rating) -> dict[str, Any]:
    return {
        "status": "RATED",
        "level": e.level,
        "voluntary": e.voluntary,
        "rater_id": e.applicant_id,
        "rated_at": at,
        "updated_at": at,
        "version": version,
        "position": p,
    }


# The two events of nearly every evaluation, read from their stored state without building
# the domain event: a struct of the fields the row needs parses in a fifth of the time the
# generic decoding takes (which walks every field for transcodings and makes the event).
# Anything else (another class version, a value of another type, an erased personal
# field) fails the struct and goes the generic way, so the rows are the same either way.


class _InvitedState(msgspec.Struct):
    timestamp: StoredDatetime
    subject_kind: str
    subject_ref: str
    channel: str
    applicant_id: str
    window_code: str
    staff_badge: str
    item_code: str
    default_on: str
    class_version: int = 1


class _SubmittedState(msgspec.Struct):
    timestamp: StoredDatetime
    applicant_id: str
    level: str
    voluntary: bool
    class_version: int = 1


_Invitation = Evaluation.Invited | _InvitedState
"""What an invitation's row is made of: the event, or the fields read from its row."""
_Rating = Evaluation.RatingSubmitted | _SubmittedState
"""What a rating sets: the event, or the fields read from its row."""

_invited_state = msgspec.json.Decoder(_InvitedState).decode
_submitted_state = msgspec.json.Decoder(_SubmittedState).decode


def _invited(rows: BatchRows, tenant_id: str, row: EventRow) -> bool:
    try:
        state = _invited_state(row.state)
        at = datetime.fromisoformat(state.timestamp.data)
        evaluation_id = UUID(row.originator_id)
    except (msgspec.DecodeError, ValueError):
        return False  # the generic decoding says what is wrong
    if state.class_version != Evaluation.Invited.class_version:
        return False  # an older invitation: upcast by the generic decoding
    p, version = row.position, row.originator_version
    new = _invitation_row(tenant_id, p, evaluation_id, version, at, state)
    rows.insert(RATINGS, new, owned=True)
    return True


def _submitted(rows: BatchRows, tenant_id: str, row: EventRow) -> bool:
    try:
        state = _submitted_state(row.state)
        at = datetime.fromisoformat(state.timestamp.data)
        evaluation_id = UUID(row.originator_id)
    except (msgspec.DecodeError, ValueError):
        return False
    if state.class_version != getattr(Evaluation.RatingSubmitted, "class_version", 1):
        return False
    sets = _rating_sets(row.position, row.originator_version, at, state)
    rows.update(RATINGS, (tenant_id, evaluation_id), sets)
    return True


_FROM_ROW = {
    get_topic(Evaluation.Invited): _invited,
    get_topic(Evaluation.RatingSubmitted): _submitted,
}
"""Topics applied from the stored row (False: not this row, decode it)."""


class EvaluationRatingsProjection(Projection):
    """Keeps ``evaluation_ratings`` in step with the halls' evaluations.

    A batch's new rows wait in a :class:`BatchRows` and are written once at its end; the
    invitations and ratings are read from their stored rows (:data:`raw_topics`), every other
    event through its handler below (which is also what a single event applied alone runs).
    """

    name = "evaluation_ratings"
    tables = ("evaluation_ratings",)
    reader_indexes = (
        "evaluation_ratings_newest",
        "evaluation_ratings_month",
        "evaluation_ratings_rectification",
        "evaluation_ratings_default_due",
    )
    raw_topics = frozenset(_FROM_ROW)

    def apply_batch(self, conn: psycopg.Connection, batch: Batch) -> None:
        rows = BatchRows(conn)
        handlers = cast(psycopg.Connection, rows)
        tenant_id = batch.tenant_id
        apply = self.apply  # a singledispatchmethod builds its bound method on every access
        from_row = _FROM_ROW.get
        for row in batch.rows():
            applied = from_row(row.topic)
            if applied is None or not applied(rows, tenant_id, row):
                apply(batch.decoded(row), handlers, tenant_id, row.position)
        rows.flush()

    @singledispatchmethod
    def apply(self, event: Any, conn: psycopg.Connection, tenant_id: str, position: int) -> None:
        """Other events change nothing here."""

    @apply.register
    def _(self, e: Evaluation.Invited, conn: psycopg.Connection, tenant_id: str, p: int) -> None:
        row = _invitation_row(tenant_id, p, e.originator_id, e.originator_version, e.timestamp, e)
        BatchRows.of(conn).insert(RATINGS, row, owned=True)

    @apply.register
    def _(
        self, e: Evaluation.RatingSubmitted, conn: psycopg.Connection, tenant_id: str, p: int
    ) -> None:
        """The applicant's rating; the comment (personal data) is not kept."""
        sets = _rating_sets(p, e.originator_version, e.timestamp, e)
        BatchRows.of(conn).update(RATINGS, (tenant_id, e.originator_id), sets)

    @apply.register
    def _(
        self, e: Evaluation.RatingDefaulted, conn: psycopg.Connection, tenant_id: str, p: int
    ) -> None:
        """系统默认评价: counts as its level (BASIC), never as voluntary."""
        _update(
            conn,
            tenant_id,
            p,
            e,
            status="DEFAULTED",
            level=e.level,
            voluntary=False,
            rated_at=e.timestamp,
        )

    @apply.register
    def _(
        self, e: Evaluation.RatingAppended, conn: psycopg.Connection, tenant_id: str, p: int
    ) -> None:
        _update(conn, tenant_id, p, e, appended=True)

    @apply.register
    def _(
        self, e: Evaluation.RatingAppealed, conn: psycopg.Connection, tenant_id: str, p: int
    ) -> None:
        _update(conn, tenant_id, p, e, appeal_state="PENDING", appeal_reason=e.reason)

    @apply.register
    def _(
        self, e: Evaluation.RatingExcluded, conn: psycopg.Connection, tenant_id: str, p: int
    ) -> None:
        """甄别剔除: the rating no longer counts."""
        _update(conn, tenant_id, p, e, appeal_state="UPHELD", excluded=True)

    @apply.register
    def _(
        self, e: Evaluation.AppealRejected, conn: psycopg.Connection, tenant_id: str, p: int
    ) -> None:
        _update(conn, tenant_id, p, e, appeal_state="REJECTED")

    @apply.register
    def _(self, e: Rectification.Opened, conn: psycopg.Connection, tenant_id: str, p: int) -> None:
        """差评必整改: link a bad rating to the rectification it opened."""
        if e.source != RectificationSource.BAD_RATING.value:
            return
        try:
            evaluation_id = UUID(e.source_id)
        except ValueError:
            return
        sets = {"rectification_id": e.originator_id, "position": p}
        BatchRows.of(conn).update(RATINGS, (tenant_id, evaluation_id), sets)
