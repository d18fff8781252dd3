"""Queries over the complaint register: the only way the gateway reads
``complaint_register``. Every function reads one hall through row-level security."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from psycopg.rows import class_row
from psycopg_pool import ConnectionPool

from projections.runtime.db import tenant_connection

__all__ = ["ComplaintFilter", "ComplaintRow", "complaints_by_id", "list_complaints"]


@dataclass(frozen=True)
class ComplaintRow:
    """A complaint as the register shows it."""

    complaint_id: UUID
    received_position: int
    """Position of ``ComplaintReceived`` in the hall's log: the order (newest first)."""
    channel: str
    anonymous: bool
    applicant_id: str
    respondent_window: str
    respondent_badge: str
    status: str
    complaint_class: str | None
    rejection_reason: str | None
    accepted_on: date | None
    """The day (China) the complaint was accepted (受理); a reopening keeps it."""
    time_limit_working_days: int | None
    """The round's limit: the class's at acceptance; after a reopening, the hall's complex
    limit it followed."""
    accepted_due_on: date | None
    """The due date set at acceptance (or the last reopening), before any extension."""
    due_on: date | None
    extensions: list[dict[str, Any]]
    """Each 延期: working_days, reason, previous_due_on, due_on, extended_at, actor."""
    extension_count: int
    assignee: str | None
    finding: str | None
    handling_round: int
    replied_on: date | None
    """The day (China) of this round's reply (意见反馈); cleared by a reopening."""
    replied_on_time: bool | None
    """Replied by the due date in force, and no due date of the round was missed before."""
    overdue: bool
    """A due date of this round passed before the reply (``ComplaintOverdue``, or a late
    reply); an extension does not undo it; cleared by a reopening (a new round)."""
    satisfied: bool | None
    received_at: datetime
    updated_at: datetime
    version: int


@dataclass(frozen=True)
class ComplaintFilter:
    """What to list; ``None`` fields do not filter."""

    status: str | None = None
    received_from: date | None = None
    """First day (China) of complaints to list."""
    received_to: date | None = None
    window: str | None = None
    """The respondent window."""
    staff: str | None = None
    """The respondent's badge."""
    overdue: bool | None = None
    complaint_class: str | None = None
    applicant_id: str | None = None
    """Only this applicant's complaints (an applicant's own)."""

    def where(self) -> tuple[str, list[Any]]:
        """SQL conditions (after ``WHERE tenant_id = %s``) and their parameters."""
        conditions = {
            "status = %s": self.status,
            "received_on >= %s": self.received_from,
            "received_on <= %s": self.received_to,
            "respondent_window = %s": self.window,
            "upper(respondent_badge) = upper(%s)": self.staff,
            "overdue = %s": self.overdue,
            "complaint_class = %s": self.complaint_class,
            "applicant_id = %s": self.applicant_id,
        }
        sql = "".join(f" AND {c}" for c, v in conditions.items() if v is not None)
        return sql, [v for v in conditions.values() if v is not None]


_COLUMNS = ", ".join(ComplaintRow.__dataclass_fields__)


def list_complaints(
    pool: ConnectionPool,
    tenant_id: str,
    filters: ComplaintFilter,
    *,
    before: int | None,
    limit: int,
) -> list[ComplaintRow]:
    """Up to ``limit`` complaints, newest first, received before log position ``before``
    (``None``: from the newest)."""
    where, params = filters.where()
    if before is not None:
        where += " AND received_position < %s"
        params.append(before)
    with tenant_connection(pool, tenant_id) as conn:
        cur = conn.cursor(row_factory=class_row(ComplaintRow))
        return cur.execute(
            f"SELECT {_COLUMNS} FROM complaint_register WHERE tenant_id = %s{where}"
            " ORDER BY received_position DESC LIMIT %s",
            [tenant_id, *params, limit],
        ).fetchall()


def complaints_by_id(
    pool: ConnectionPool, tenant_id: str, ids: Sequence[UUID]
) -> dict[UUID, ComplaintRow]:
    """The hall's complaints among ``ids`` (others, and other halls' ids, are left out)."""
    with tenant_connection(pool, tenant_id) as conn:
        cur = conn.cursor(row_factory=class_row(ComplaintRow))
        rows = cur.execute(
            f"SELECT {_COLUMNS} FROM complaint_register"
            " WHERE tenant_id = %s AND complaint_id = ANY(%s)",
            (tenant_id, list(ids)),
        ).fetchall()
    return {r.complaint_id: r for r in rows}
