"""Queries over the case register: the only way the gateway reads ``case_register`` and
``case_history``. Every function reads one hall through row-level security."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from psycopg.rows import class_row
from psycopg_pool import ConnectionPool

from projections.runtime.db import tenant_connection

__all__ = ["CaseFilter", "CaseHistoryRow", "CaseRow", "case_histories", "cases_by_id", "list_cases"]


@dataclass(frozen=True)
class CaseRow:
    """A case as the register shows it."""

    case_id: UUID
    requested_position: int
    """Position of ``CaseRequested`` in the hall's log: the register's order (newest first)."""
    mode: str
    item_code: str
    matter: str
    channel: str
    applicant_id: str
    applicant_name: str
    """Personal data, for the hall's staff; ``[erased]`` once erased."""
    status: str
    first_responsible: str | None
    responsible: str | None
    accepted_on: date | None
    promised_working_days: int | None
    due_date: date | None
    notice_due_date: date | None
    required_materials: list[str]
    received_materials: list[str]
    missing_materials: list[str]
    notice_materials: list[str]
    outstanding_materials: list[str]
    notice_issued_on: date | None
    notice_stopped_clock: bool
    clock_stopped: bool
    clock_stopped_working_days: int
    department: str | None
    acceptance_number: str | None
    department_due_date: date | None
    outcome: str | None
    ended_on: date | None
    on_time: bool | None
    overdue: bool
    follow_up_calls: int
    satisfied: bool | None
    requested_at: datetime
    updated_at: datetime
    version: int


@dataclass(frozen=True)
class CaseHistoryRow:
    """One event of a case's history (no personal data)."""

    case_id: UUID
    version: int
    event: str
    status: str
    """The case's status after the event."""
    actor: str
    at: datetime
    details: dict[str, Any]


@dataclass(frozen=True)
class CaseFilter:
    """What to list; ``None`` fields do not filter."""

    status: str | None = None
    requested_from: date | None = None
    """First day (China) of requests to list."""
    requested_to: date | None = None
    """Last day (China) of requests to list."""
    staff: str | None = None
    """Badge of the first responsible or the one handling the case now."""
    overdue: bool | None = None
    item_code: str | None = None
    applicant_id: str | None = None
    """Only this applicant's cases (an applicant's own)."""

    def where(self) -> tuple[str, list[Any]]:
        """SQL conditions (after ``WHERE tenant_id = %s``) and their parameters."""
        conditions = {
            "status = %s": self.status,
            "requested_on >= %s": self.requested_from,
            "requested_on <= %s": self.requested_to,
            "overdue = %s": self.overdue,
            "item_code = %s": self.item_code,
            "applicant_id = %s": self.applicant_id,
        }
        sql = "".join(f" AND {c}" for c, v in conditions.items() if v is not None)
        params: list[Any] = [v for v in conditions.values() if v is not None]
        if self.staff is not None:
            sql += " AND upper(%s) IN (upper(first_responsible), upper(responsible))"
            params.append(self.staff)
        return sql, params


_COLUMNS = ", ".join(CaseRow.__dataclass_fields__)
_HISTORY = "case_id, version, event, status, actor, at, details"


def list_cases(
    pool: ConnectionPool, tenant_id: str, filters: CaseFilter, *, before: int | None, limit: int
) -> list[CaseRow]:
    """Up to ``limit`` cases, newest request first, requested before log position
    ``before`` (``None``: from the newest)."""
    where, params = filters.where()
    if before is not None:
        where += " AND requested_position < %s"
        params.append(before)
    with tenant_connection(pool, tenant_id) as conn:
        cur = conn.cursor(row_factory=class_row(CaseRow))
        return cur.execute(
            f"SELECT {_COLUMNS} FROM case_register WHERE tenant_id = %s{where}"
            " ORDER BY requested_position DESC LIMIT %s",
            [tenant_id, *params, limit],
        ).fetchall()


def cases_by_id(pool: ConnectionPool, tenant_id: str, ids: Sequence[UUID]) -> dict[UUID, CaseRow]:
    """The hall's cases among ``ids`` (others, and other halls' ids, are left out)."""
    with tenant_connection(pool, tenant_id) as conn:
        cur = conn.cursor(row_factory=class_row(CaseRow))
        rows = cur.execute(
            f"SELECT {_COLUMNS} FROM case_register WHERE tenant_id = %s AND case_id = ANY(%s)",
            (tenant_id, list(ids)),
        ).fetchall()
    return {r.case_id: r for r in rows}


def case_histories(
    pool: ConnectionPool, tenant_id: str, ids: Sequence[UUID]
) -> Mapping[UUID, list[CaseHistoryRow]]:
    """The history of each case among ``ids``, oldest event first."""
    found: dict[UUID, list[CaseHistoryRow]] = {i: [] for i in ids}
    with tenant_connection(pool, tenant_id) as conn:
        cur = conn.cursor(row_factory=class_row(CaseHistoryRow))
        rows = cur.execute(
            f"SELECT {_HISTORY} FROM case_history WHERE tenant_id = %s AND case_id = ANY(%s)"
            " ORDER BY case_id, version",
            (tenant_id, list(ids)),
        ).fetchall()
    for row in rows:
        found.setdefault(row.case_id, []).append(row)
    return found
