"""Queries over the rectification ledger: the only way the gateway reads
``rectification_ledger``. Every function reads one hall through row-level security."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from psycopg.rows import class_row
from psycopg_pool import ConnectionPool

from projections.runtime.db import tenant_connection

__all__ = ["RectificationFilter", "RectificationRow", "list_rectifications", "rectifications_by_id"]


@dataclass(frozen=True)
class RectificationRow:
    """A rectification as the ledger shows it."""

    rectification_id: UUID
    opened_position: int
    """Position of ``RectificationOpened`` in the hall's log: the order (newest first)."""
    source: str
    source_id: str
    applicant_id: str
    window_code: str
    """The window the problem concerns (the owner of the rectification)."""
    staff_badge: str
    """The staff member the problem concerns (the owner), when known."""
    summary: str
    status: str
    disposition: str | None
    handling_round: int
    handled_by: str | None
    """Who took the last step (verification call, disposition, completion, feedback)."""
    verification_due_on: date
    contacted: bool | None
    verified_on_time: bool | None
    plan: list[str] | None
    working_days: int | None
    due_on: date | None
    """The ledger's due date (建台账限期整改), while on the ledger."""
    completed_on_time: bool | None
    overdue: bool
    overdue_deadline: str | None
    overdue_since: date | None
    missed_deadlines: int
    opened_at: datetime
    closed_at: datetime | None
    updated_at: datetime
    version: int


@dataclass(frozen=True)
class RectificationFilter:
    """What to list; ``None`` fields do not filter."""

    status: str | None = None
    source: str | None = None
    opened_from: date | None = None
    """First day (China) of rectifications to list."""
    opened_to: date | None = None
    window: str | None = None
    staff: str | None = None
    overdue: bool | None = None

    def where(self) -> tuple[str, list[Any]]:
        """SQL conditions (after ``WHERE tenant_id = %s``) and their parameters."""
        conditions = {
            "status = %s": self.status,
            "source = %s": self.source,
            "opened_on >= %s": self.opened_from,
            "opened_on <= %s": self.opened_to,
            "window_code = %s": self.window,
            "upper(staff_badge) = upper(%s)": self.staff,
            "overdue = %s": self.overdue,
        }
        sql = "".join(f" AND {c}" for c, v in conditions.items() if v is not None)
        return sql, [v for v in conditions.values() if v is not None]


_COLUMNS = ", ".join(RectificationRow.__dataclass_fields__)


def list_rectifications(
    pool: ConnectionPool,
    tenant_id: str,
    filters: RectificationFilter,
    *,
    before: int | None,
    limit: int,
) -> list[RectificationRow]:
    """Up to ``limit`` rectifications, newest first, opened before log position ``before``
    (``None``: from the newest)."""
    where, params = filters.where()
    if before is not None:
        where += " AND opened_position < %s"
        params.append(before)
    with tenant_connection(pool, tenant_id) as conn:
        cur = conn.cursor(row_factory=class_row(RectificationRow))
        return cur.execute(
            f"SELECT {_COLUMNS} FROM rectification_ledger WHERE tenant_id = %s{where}"
            " ORDER BY opened_position DESC LIMIT %s",
            [tenant_id, *params, limit],
        ).fetchall()


def rectifications_by_id(
    pool: ConnectionPool, tenant_id: str, ids: Sequence[UUID]
) -> dict[UUID, RectificationRow]:
    """The hall's rectifications among ``ids`` (others, and other halls' ids, left out)."""
    with tenant_connection(pool, tenant_id) as conn:
        cur = conn.cursor(row_factory=class_row(RectificationRow))
        rows = cur.execute(
            f"SELECT {_COLUMNS} FROM rectification_ledger"
            " WHERE tenant_id = %s AND rectification_id = ANY(%s)",
            (tenant_id, list(ids)),
        ).fetchall()
    return {r.rectification_id: r for r in rows}
