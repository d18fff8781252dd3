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

from datetime import date
from functools import partial, singledispatchmethod
from typing import Any
from uuid import UUID

import psycopg

from projections.runtime import BatchRows, BatchRowsProjection, RowTable, update_record
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


class EvaluationRatingsProjection(BatchRowsProjection):
    """Keeps ``evaluation_ratings`` in step with the halls' evaluations."""

    name = "evaluation_ratings"
    tables = ("evaluation_ratings",)
    reader_indexes = (
        "evaluation_ratings_month",
        "evaluation_ratings_rectification",
        "evaluation_ratings_default_due",
    )

    @singledispatchmethod
    def apply(self, event: Any, conn: psycopg.Connection, tenant_id: str, position: int) -> None:
        """Other events change nothing here."""

    @apply.register
    def _(self, e: Evaluation.Invited, conn: psycopg.Connection, tenant_id: str, p: int) -> None:
        served_on = local_date(e.timestamp)
        row = {
            "tenant_id": tenant_id,
            "evaluation_id": e.originator_id,
            "invited_position": p,
            "subject_kind": e.subject_kind,
            "subject_ref": e.subject_ref,
            "channel": e.channel,
            "applicant_id": e.applicant_id,
            "window_code": e.window_code,
            "staff_badge": e.staff_badge,
            "item_code": e.item_code,
            "invited_at": e.timestamp,
            "invited_on": served_on,
            "month": served_on.strftime("%Y-%m"),
            "default_on": date.fromisoformat(e.default_on),
            "status": "INVITED",
            "appended": False,
            "appeal_state": "NONE",
            "excluded": False,
            "updated_at": e.timestamp,
            "version": e.originator_version,
            "position": p,
        }
        BatchRows.of(conn).insert(RATINGS, row)

    @apply.register
    def _(
        self, e: Evaluation.RatingSubmitted, conn: psycopg.Connection, tenant_id: str, p: int
    ) -> None:
        """The applicant's rating; the comment (personal data) is not kept."""
        _update(
            conn,
            tenant_id,
            p,
            e,
            status="RATED",
            level=e.level,
            voluntary=e.voluntary,
            rater_id=e.applicant_id,
            rated_at=e.timestamp,
        )

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
