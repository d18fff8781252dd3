"""Queries over the hall setup: the only way the gateway reads the ``hall_setup_*`` tables.

Each list is one hall's (row-level security), ordered by badge number or code, and paged by
keyset: ``after`` is the last key of the previous page (``None``: from the start), ``limit``
the most rows to return.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg.rows import class_row
from psycopg_pool import ConnectionPool

from projections.runtime.db import tenant_connection

__all__ = [
    "PlaceRow",
    "QueueRow",
    "StaffFilter",
    "StaffRow",
    "WindowRow",
    "list_places",
    "list_queues",
    "list_staff",
    "list_windows",
]


@dataclass(frozen=True)
class StaffRow:
    """A staff member as the roster shows them."""

    badge_number: str
    staff_id: UUID
    name: str
    """``[erased]`` once the member's record was erased."""
    role: str
    skills: list[str]
    posts: dict[str, str]
    """Window code → post (A or B); none once offboarded."""
    on_duty_window: str
    """'' when off duty."""
    trainings: list[dict[str, Any]]
    """``course``, ``hours``, ``completed_on`` (ISO date), ``certificate``, oldest first."""
    onboarded_at: datetime
    offboarded_at: datetime | None
    updated_at: datetime


@dataclass(frozen=True)
class StaffFilter:
    """Which members to list; ``None`` leaves a condition out."""

    badge_number: str | None = None
    """Only this member (staff read their own record)."""
    role: str | None = None
    on_duty: bool | None = None
    """Signed in at a window (``True``) or not."""
    departed: bool | None = None
    """Offboarded (``True``) or still on the staff."""


@dataclass(frozen=True)
class PlaceRow:
    code: str
    name: str
    place_type: str
    address: str
    registered_at: datetime


@dataclass(frozen=True)
class QueueRow:
    code: str
    name: str
    prefix: str
    item_codes: list[str]
    configured_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class WindowRow:
    code: str
    name: str
    window_type: str
    place_code: str
    item_codes: list[str]
    queue_codes: list[str]
    status: str
    suspension_reason: str
    configured_at: datetime
    updated_at: datetime


_STAFF = (
    "SELECT badge_number, staff_id, name, role, skills, posts, on_duty_window, trainings,"
    " onboarded_at, offboarded_at, updated_at FROM hall_setup_staff"
)
_PLACES = "SELECT code, name, place_type, address, registered_at FROM hall_setup_places"
_QUEUES = "SELECT code, name, prefix, item_codes, configured_at, updated_at FROM hall_setup_queues"
_WINDOWS = (
    "SELECT code, name, window_type, place_code, item_codes, queue_codes, status,"
    " suspension_reason, configured_at, updated_at FROM hall_setup_windows"
)


def list_staff(
    pool: ConnectionPool,
    tenant_id: str,
    where: StaffFilter = StaffFilter(),
    *,
    after: str | None = None,
    limit: int,
) -> list[StaffRow]:
    """A hall's staff members matching ``where``, by badge number."""
    conditions: list[str] = []
    params: dict[str, Any] = {"limit": limit}
    if where.badge_number is not None:  # 工号: s001 is S001
        conditions.append("upper(badge_number) = upper(%(badge_number)s)")
        params["badge_number"] = where.badge_number
    if where.role is not None:
        conditions.append("role = %(role)s")
        params["role"] = where.role
    if where.on_duty is not None:
        conditions.append("on_duty_window <> ''" if where.on_duty else "on_duty_window = ''")
    if where.departed is not None:
        conditions.append(
            "offboarded_at IS NOT NULL" if where.departed else "offboarded_at IS NULL"
        )
    return _page(pool, tenant_id, _STAFF, "badge_number", StaffRow, conditions, params, after)


def list_places(
    pool: ConnectionPool, tenant_id: str, *, after: str | None = None, limit: int
) -> list[PlaceRow]:
    """A hall's service places, by code."""
    return _page(pool, tenant_id, _PLACES, "code", PlaceRow, [], {"limit": limit}, after)


def list_queues(
    pool: ConnectionPool, tenant_id: str, *, after: str | None = None, limit: int
) -> list[QueueRow]:
    """A hall's queues, by code."""
    return _page(pool, tenant_id, _QUEUES, "code", QueueRow, [], {"limit": limit}, after)


def list_windows(
    pool: ConnectionPool, tenant_id: str, *, after: str | None = None, limit: int
) -> list[WindowRow]:
    """A hall's windows, by code."""
    return _page(pool, tenant_id, _WINDOWS, "code", WindowRow, [], {"limit": limit}, after)


def _page(
    pool: ConnectionPool,
    tenant_id: str,
    select: str,
    key: str,
    row: type[Any],
    conditions: list[str],
    params: dict[str, Any],
    after: str | None,
) -> list[Any]:
    """``select`` with ``conditions``, ordered by the text column ``key``, the rows after
    ``after`` (``None``: from the first), at most ``params["limit"]``."""
    if after is not None:
        conditions = [*conditions, f"{key} > %(after)s"]
        params = {**params, "after": after}
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    with tenant_connection(pool, tenant_id) as conn:
        cur = conn.cursor(row_factory=class_row(row))
        return cur.execute(f"{select}{where} ORDER BY {key} LIMIT %(limit)s", params).fetchall()
