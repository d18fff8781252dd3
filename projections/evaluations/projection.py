"""Projection "evaluation_ratings": one row per invitation to rate (好差评), from its events.

The statistics (:mod:`projections.evaluations.statistics`) count these rows. A rating counts
in the month of the service (the invitation's day in China). A default rating
(``RatingDefaulted``) is kept as BASIC and not voluntary; an excluded one (``RatingExcluded``,
甄别剔除) stays in the row, marked. The rectification a bad rating opens is linked from
``RectificationOpened`` (source ``BAD_RATING``, its source id is the evaluation id).
"""

from __future__ import annotations

from datetime import date
from functools import singledispatchmethod
from typing import Any
from uuid import UUID

import psycopg

from projections.runtime import Projection
from services.evaluations.domain import Evaluation
from services.rectifications.domain import Rectification
from services.rectifications.values import RectificationSource
from services.shared.working_days import local_date

__all__ = ["EvaluationRatingsProjection"]

_INVITED = """
INSERT INTO evaluation_ratings (
    tenant_id, evaluation_id, invited_position, subject_kind, subject_ref, channel,
    applicant_id, window_code, staff_badge, item_code, invited_at, invited_on, month,
    default_on, status, appended, appeal_state, excluded, updated_at, version, position)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 'INVITED', false, 'NONE', false,
        %s, %s, %s)
"""
_UPDATE = """
UPDATE evaluation_ratings SET {sets}, updated_at = %s, version = %s, position = %s
WHERE tenant_id = %s AND evaluation_id = %s
"""
_LINK = """
UPDATE evaluation_ratings SET rectification_id = %s, position = %s
WHERE tenant_id = %s AND evaluation_id = %s
"""


def _update(
    conn: psycopg.Connection[Any],
    tenant_id: str,
    position: int,
    event: Any,
    sets: str,
    *values: Any,
) -> None:
    """``UPDATE … SET <sets>`` of the event's evaluation, with the row's bookkeeping."""
    params = [*values, event.timestamp, event.originator_version, position]
    params += [tenant_id, event.originator_id]
    conn.execute(_UPDATE.format(sets=sets), params, prepare=True)


class EvaluationRatingsProjection(Projection):
    """Keeps ``evaluation_ratings`` in step with the halls' evaluations."""

    name = "evaluation_ratings"
    tables = ("evaluation_ratings",)
    reader_indexes = ("evaluation_ratings_month", "evaluation_ratings_rectification")

    @singledispatchmethod
    def apply(self, event: Any, conn: psycopg.Connection, tenant_id: str, position: int) -> None:
        """Other events change nothing here."""

    @apply.register
    def _(self, e: Evaluation.Invited, conn: psycopg.Connection, tenant_id: str, p: int) -> None:
        served_on = local_date(e.timestamp)
        conn.execute(
            _INVITED,
            (
                tenant_id,
                e.originator_id,
                p,
                e.subject_kind,
                e.subject_ref,
                e.channel,
                e.applicant_id,
                e.window_code,
                e.staff_badge,
                e.item_code,
                e.timestamp,
                served_on,
                served_on.strftime("%Y-%m"),
                date.fromisoformat(e.default_on),
                e.timestamp,
                e.originator_version,
                p,
            ),
            prepare=True,
        )

    @apply.register
    def _(
        self, e: Evaluation.RatingSubmitted, conn: psycopg.Connection, tenant_id: str, p: int
    ) -> None:
        """The applicant's rating; the comment (personal data) is not kept."""
        sets = "status = 'RATED', level = %s, voluntary = %s, rater_id = %s, rated_at = %s"
        _update(conn, tenant_id, p, e, sets, e.level, e.voluntary, e.applicant_id, e.timestamp)

    @apply.register
    def _(
        self, e: Evaluation.RatingDefaulted, conn: psycopg.Connection, tenant_id: str, p: int
    ) -> None:
        """系统默认评价: counts as its level (BASIC), never as voluntary."""
        sets = "status = 'DEFAULTED', level = %s, voluntary = false, rated_at = %s"
        _update(conn, tenant_id, p, e, sets, e.level, e.timestamp)

    @apply.register
    def _(
        self, e: Evaluation.RatingAppended, conn: psycopg.Connection, tenant_id: str, p: int
    ) -> None:
        _update(conn, tenant_id, p, e, "appended = true")

    @apply.register
    def _(
        self, e: Evaluation.RatingAppealed, conn: psycopg.Connection, tenant_id: str, p: int
    ) -> None:
        _update(conn, tenant_id, p, e, "appeal_state = 'PENDING', appeal_reason = %s", e.reason)

    @apply.register
    def _(
        self, e: Evaluation.RatingExcluded, conn: psycopg.Connection, tenant_id: str, p: int
    ) -> None:
        """甄别剔除: the rating no longer counts."""
        _update(conn, tenant_id, p, e, "appeal_state = 'UPHELD', excluded = true")

    @apply.register
    def _(
        self, e: Evaluation.AppealRejected, conn: psycopg.Connection, tenant_id: str, p: int
    ) -> None:
        _update(conn, tenant_id, p, e, "appeal_state = 'REJECTED'")

    @apply.register
    def _(self, e: Rectification.Opened, conn: psycopg.Connection, tenant_id: str, p: int) -> None:
        """差评必整改: link a bad rating to the rectification it opened."""
        if e.source != RectificationSource.BAD_RATING.value:
            return
        try:
            evaluation_id = UUID(e.source_id)
        except ValueError:
            return
        conn.execute(_LINK, (e.originator_id, p, tenant_id, evaluation_id), prepare=True)
