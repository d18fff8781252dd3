"""Input checks every context's commands share: an enum member by value, a bounded text.

Each context raises its own subclass of :class:`~services.shared.errors.ValidationError`
where it has one (``error=``); the message names the field and what it accepts.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from services.shared.errors import ValidationError

__all__ = ["parse_enum", "require_text"]

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
