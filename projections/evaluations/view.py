"""Queries over the ratings read model (listing ratings; the statistics are in
:mod:`projections.evaluations.statistics`). Every function reads one hall through row-level
security, except :func:`due_default_ratings`, the deadline scheduler's query over every hall."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

import psycopg
from psycopg.rows import class_row
from psycopg_pool import ConnectionPool

from projections.runtime.db import every_page, tenant_connection

__all__ = [
    "BAD_LEVELS",
    "DueDefaultRating",
    "RatingFilter",
    "RatingRow",
    "due_default_ratings",
    "list_ratings",
    "ratings_by_id",
]

BAD_LEVELS = ("DISSATISFIED", "VERY_DISSATISFIED")
"""差评: the levels that open a rectification."""


@dataclass(frozen=True)
class RatingRow:
    """One invitation to rate, and its rating."""

    evaluation_id: UUID
    invited_position: int
    """Position of ``EvaluationInvited`` in the hall's log: the order (newest first)."""
    subject_kind: str
    subject_ref: str
    channel: str
    applicant_id: str
    rater_id: str | None
    window_code: str
    staff_badge: str
    item_code: str
    invited_at: datetime
    month: str
    default_on: date
    status: str
    level: str | None
    voluntary: bool | None
    rated_at: datetime | None
    appended: bool
    appeal_state: str
    appeal_reason: str | None
    excluded: bool
    rectification_id: UUID | None
    updated_at: datetime
    version: int


@dataclass(frozen=True)
class RatingFilter:
    """What to list; ``None`` fields do not filter."""

    status: str | None = None
    level: str | None = None
    bad_only: bool = False
    """Only 差评 (不满意, 非常不满意)."""
    invited_from: date | None = None
    """First day (China) of services to list."""
    invited_to: date | None = None
    window: str | None = None
    staff: str | None = None
    item_code: str | None = None
    excluded: bool | None = None
    applicant_id: str | None = None
    """Only this applicant's ratings (invited as, or rated as, this applicant)."""

    def where(self) -> tuple[str, list[Any]]:
        """SQL conditions (after ``WHERE tenant_id = %s``) and their parameters."""
        conditions = {
            "status = %s": self.status,
            "level = %s": self.level,
            "invited_on >= %s": self.invited_from,
            "invited_on <= %s": self.invited_to,
            "window_code = %s": self.window,
            "upper(staff_badge) = upper(%s)": self.staff,
            "item_code = %s": self.item_code,
            "excluded = %s": self.excluded,
        }
        sql = "".join(f" AND {c}" for c, v in conditions.items() if v is not None)
        params: list[Any] = [v for v in conditions.values() if v is not None]
        if self.bad_only:
            sql += " AND level = ANY(%s)"
            params.append(list(BAD_LEVELS))
        if self.applicant_id is not None:
            sql += " AND (applicant_id = %s OR rater_id = %s)"
            params += [self.applicant_id, self.applicant_id]
        return sql, params


_COLUMNS = ", ".join(RatingRow.__dataclass_fields__)


def list_ratings(
    pool: ConnectionPool,
    tenant_id: str,
    filters: RatingFilter,
    *,
    before: int | None,
    limit: int,
) -> list[RatingRow]:
    """Up to ``limit`` ratings, newest invitation first, invited before log position
    ``before`` (``None``: from the newest)."""
    where, params = filters.where()
    if before is not None:
        where += " AND invited_position < %s"
        params.append(before)
    with tenant_connection(pool, tenant_id) as conn:
        cur = conn.cursor(row_factory=class_row(RatingRow))
        return cur.execute(
            f"SELECT {_COLUMNS} FROM evaluation_ratings WHERE tenant_id = %s{where}"
            " ORDER BY invited_position DESC LIMIT %s",
            [tenant_id, *params, limit],
        ).fetchall()


def ratings_by_id(
    pool: ConnectionPool, tenant_id: str, ids: Sequence[UUID]
) -> dict[UUID, RatingRow]:
    """The hall's ratings among ``ids`` (others, and other halls' ids, are left out)."""
    with tenant_connection(pool, tenant_id) as conn:
        cur = conn.cursor(row_factory=class_row(RatingRow))
        rows = cur.execute(
            f"SELECT {_COLUMNS} FROM evaluation_ratings"
            " WHERE tenant_id = %s AND evaluation_id = ANY(%s)",
            (tenant_id, list(ids)),
        ).fetchall()
    return {r.evaluation_id: r for r in rows}


@dataclass(frozen=True)
class DueDefaultRating:
    """An invitation still unrated whose rating period is over: its default is due."""

    tenant_id: str
    evaluation_id: UUID
    default_on: date
    """The first day (China) it counts as 基本满意 by default (invited + the hall's days)."""


_DUE_DEFAULTS = (
    "SELECT tenant_id, evaluation_id, default_on FROM evaluation_ratings"
    " WHERE status = 'INVITED' AND default_on <= %s"
    " AND (default_on, tenant_id, evaluation_id) > (%s, %s, %s)"
    " ORDER BY default_on, tenant_id, evaluation_id LIMIT %s"
)


def due_default_ratings(
    conn: psycopg.Connection[Any], today: date, page: int = 1000
) -> list[DueDefaultRating]:
    """Invitations still unrated (``INVITED``) whose default day is ``today`` or earlier,
    oldest default day first, read ``page`` at a time (every one of them: invitations the
    scheduler cannot default this round must not hide the ones after them).

    The default day is the first day the rating period is over (``Evaluation.default_on``:
    invited on day 1 with 7 days, it is day 8). ``conn`` must see every hall (a worker
    connection): the deadline scheduler's query.
    """
    return every_page(
        conn,
        _DUE_DEFAULTS,
        (today,),
        row=DueDefaultRating,
        key=lambda d: (d.default_on, d.tenant_id, d.evaluation_id),
        first=(date.min, "", UUID(int=0)),
        page=page,
    )
