"""What the register queries share (cases, complaints, ratings, rectifications): who reads
them, record ids, date and month ranges, and paging newest first.

Registers page by the log position of each record's first event, through Relay connections.
The cursor is the position of the last record seen (opaque to clients); a cursor this API did
not give out, or of another shape, is a ``VALIDATION`` error.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from typing import TypeVar
from uuid import UUID

from gateway.context import Info
from gateway.errors import InputError
from gateway.relay import Connection, SortKey, paginate
from gateway.security import HALL_STAFF, Role

__all__ = ["STAFF_AND_APPLICANTS", "check_months", "check_range", "newest_first", "parse_uuid"]

STAFF_AND_APPLICANTS = (*HALL_STAFF, Role.APPLICANT)
"""Who reads a register of cases, complaints or ratings: the hall's staff, and applicants
(their own records only)."""

_MONTH = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])\Z")

N = TypeVar("N")
R = TypeVar("R")


def _position(key: SortKey | None, after: str | None) -> int | None:
    if key is None:
        return None
    if len(key) != 1 or type(key[0]) is not int or key[0] < 1:
        raise InputError(f"invalid cursor {after!r}")
    return key[0]


async def newest_first(
    info: Info,
    *,
    first: int | None,
    after: str | None,
    fetch: Callable[[int | None, int], Sequence[R]],
    position: Callable[[R], int],
    node: Callable[[R], N],
) -> Connection[N]:
    """A page of a register: ``fetch(before_position, limit)`` returns up to ``limit`` rows,
    newest first, whose position is below ``before_position`` (``None``: from the newest)."""
    return await paginate(
        info,
        first=first,
        after=after,
        fetch=lambda key, limit: fetch(_position(key, after), limit),
        key=lambda row: (position(row),),
        node=node,
    )


def check_range(start: date | None, end: date | None, what: str) -> None:
    """``VALIDATION`` when a date range ends before it starts."""
    if start is not None and end is not None and end < start:
        raise InputError(f"{what}: the range ends ({end}) before it starts ({start})")


def check_months(month_from: str | None, month_to: str | None) -> tuple[str | None, str | None]:
    """``(month_from, month_to)`` when each is a month ``YYYY-MM`` (or ``None``) and the range
    does not end before it starts; ``VALIDATION`` otherwise."""
    for value, what in ((month_from, "monthFrom"), (month_to, "monthTo")):
        if value is not None and not _MONTH.match(value):
            raise InputError(f"{what} is a month written YYYY-MM, not {value!r}")
    if month_from is not None and month_to is not None and month_to < month_from:
        raise InputError(f"monthFrom/monthTo: the range ends ({month_to}) before it starts")
    return month_from, month_to


def parse_uuid(value: str) -> UUID | None:
    """The record id of a GraphQL ID; ``None`` for a malformed one (answers "absent")."""
    try:
        return UUID(str(value))
    except ValueError:
        return None
