"""Input checks every context's commands share: an enum member by value, a bounded text,
a date or a time written the one way the platform documents.

Each context raises its own subclass of :class:`~services.shared.errors.ValidationError`
where it has one (``error=``); the message names the field and what it accepts.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TypeVar

from services.shared.errors import ValidationError

__all__ = [
    "DATETIME_FORMAT",
    "DATE_FORMAT",
    "parse_date",
    "parse_datetime",
    "parse_enum",
    "require_text",
]

E = TypeVar("E", bound=StrEnum)


def parse_enum(
    enum: type[E], value: str, what: str, *, error: type[ValidationError] = ValidationError
) -> E:
    """``enum(value)``, or ``error`` listing the allowed values.

    >>> from enum import StrEnum
    >>> class Channel(StrEnum):
    ...     HALL = "HALL"
    ...     ONLINE = "ONLINE"
    >>> parse_enum(Channel, "HALL", "channel")
    <Channel.HALL: 'HALL'>
    >>> parse_enum(Channel, "FAX", "channel")
    Traceback (most recent call last):
    ...
    services.shared.errors.ValidationError: unknown channel 'FAX'; use one of HALL, ONLINE
    """
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(e.value for e in enum)
        raise error(f"unknown {what} {value!r}; use one of {allowed}") from None


def require_text(
    value: str,
    what: str,
    max_length: int,
    *,
    optional: bool = False,
    error: type[ValidationError] = ValidationError,
) -> str:
    """``value`` stripped; ``error`` when empty (unless ``optional``) or too long.

    >>> require_text("  当面致歉 ", "measure", 10)
    '当面致歉'
    >>> require_text(" ", "measure", 10)
    Traceback (most recent call last):
    ...
    services.shared.errors.ValidationError: measure is 1 to 10 characters
    >>> require_text(" ", "note", 10, optional=True)
    ''
    """
    text = value.strip()
    if (not text and not optional) or len(text) > max_length:
        size = "up to" if optional else "1 to"
        raise error(f"{what} is {size} {max_length} characters")
    return text


DATE_FORMAT = "YYYY-MM-DD (e.g. 2026-05-01)"
"""How a date is written, wherever a client or an operator gives one."""
DATETIME_FORMAT = (
    "YYYY-MM-DDTHH:MM:SS, optionally .ffffff (further digits are cut), then Z or ±HH:MM "
    "(e.g. 2026-05-01T09:30:00+08:00; t and z in lower case too)"
)
"""How a time is written (RFC 3339 section 5.6, whose NOTE allows a lower-case ``t`` and
``z``; where the offset may be left out, the field says what a time without one means). A
fraction has any number of digits, as RFC 3339 allows; times are kept to the microsecond,
so the digits past it are cut (toward the past: an event recorded at or before the time
written is at or before the time kept)."""

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME = re.compile(
    r"([0-9]{4}-[0-9]{2}-[0-9]{2})[Tt]([0-9]{2}:[0-9]{2}:[0-9]{2})(?:(\.[0-9]{1,6})[0-9]*)?"
    r"([Zz]|[+-][0-9]{2}:[0-5][0-9])?"  # fromisoformat would read +08:60 as +09:00
)
MAX_OFFSET = timedelta(hours=14)
"""The largest offset from UTC of any time zone in use (Kiribati's +14:00)."""


def parse_date(value: object, what: str, *, error: type[ValidationError] = ValidationError) -> date:
    """The date written ``YYYY-MM-DD``, or ``error``: not the other forms
    :meth:`date.fromisoformat` takes (``20260501``, the week date ``2026-W18-5``), which a
    reader would not recognise.

    >>> parse_date("2026-05-01", "the due date")
    datetime.date(2026, 5, 1)
    >>> parse_date("20260501", "the due date")
    Traceback (most recent call last):
    ...
    services.shared.errors.ValidationError: the due date is written YYYY-MM-DD (e.g. 2026-05-01), not '20260501'
    >>> parse_date("2026-02-30", "the due date")
    Traceback (most recent call last):
    ...
    services.shared.errors.ValidationError: the due date: 2026-02-30 is no date of the calendar
    """  # noqa: E501
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise error(f"{what} is written {DATE_FORMAT}, not {value!r}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise error(f"{what}: {value} is no date of the calendar") from None


def parse_datetime(
    value: object, what: str, *, error: type[ValidationError] = ValidationError
) -> datetime:
    """The time written as RFC 3339 (``2026-05-01T09:30:00+08:00``, ``…Z``, with seconds,
    an optional fraction, an offset of at most 14 hours), or ``error``. Without an offset
    the time is naive: the caller decides what it means or refuses it.

    >>> parse_datetime("2026-05-01T09:30:00+08:00", "since")
    datetime.datetime(2026, 5, 1, 9, 30, tzinfo=datetime.timezone(datetime.timedelta(seconds=28800)))
    >>> parse_datetime("2026-05-01T09:30:00.5Z", "since").isoformat()
    '2026-05-01T09:30:00.500000+00:00'
    >>> parse_datetime("2026-05-01t09:30:00.123456789z", "since").isoformat()
    '2026-05-01T09:30:00.123456+00:00'
    >>> parse_datetime("20260501T093000+0800", "since")
    Traceback (most recent call last):
    ...
    services.shared.errors.ValidationError: since is written YYYY-MM-DDTHH:MM:SS, optionally .ffffff (further digits are cut), then Z or ±HH:MM (e.g. 2026-05-01T09:30:00+08:00; t and z in lower case too), not '20260501T093000+0800'
    """  # noqa: E501
    written = _DATETIME.fullmatch(value) if isinstance(value, str) else None
    if written is None:
        raise error(f"{what} is written {DATETIME_FORMAT}, not {value!r}")
    day, clock, fraction, offset_text = written.groups()
    zone = "+00:00" if offset_text in ("Z", "z") else offset_text or ""
    try:
        moment = datetime.fromisoformat(f"{day}T{clock}{fraction or ''}{zone}")
    except ValueError:
        raise error(f"{what}: {value} is no time of the calendar") from None
    offset = moment.utcoffset()
    if offset is not None and abs(offset) > MAX_OFFSET:
        raise error(f"{what}: {value} has an offset beyond ±14:00, as no time zone has")
    return moment
