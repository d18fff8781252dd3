"""Identifiers: hall ids (the tenant) and stable aggregate ids derived from domain keys."""

from __future__ import annotations

import re
import uuid

from services.shared.errors import ValidationError

__all__ = [
    "BADGE",
    "HALL_ID_PATTERN",
    "PLACE_CODE",
    "PLATFORM_LOG",
    "canonical_badge",
    "normal_badge",
    "same_badge",
    "stable_id",
    "validate_hall_id",
]

PLATFORM_LOG = "platform"
"""The tenant id of the platform's own log (partner register, holiday schedules); refused as
a hall id."""

HALL_ID_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\Z")
"""A hall id is a lowercase slug of 1 to 63 characters, e.g. ``demo`` or ``suzhou-xc``."""

PLACE_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}\Z")
"""A place, window or queue code (窗口编号 …): 1-32 letters, digits, '.', '_' or '-'; the
places context defines them, the other contexts refer to them."""
BADGE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,31}\Z")
"""A staff badge number (工号): 1-32 letters, digits or '-'; the staff context defines it.
Case does not tell badges apart: new records carry the canonical form
(:func:`canonical_badge`), and badges recorded before in another case are compared with
:func:`same_badge`."""

_NAMESPACE = uuid.UUID("6f1e0d9a-5b7e-4c1b-9a51-7a0c3f1e2d44")


def validate_hall_id(hall_id: str) -> str:
    """Return ``hall_id`` if it is a valid hall id, else raise :class:`ValidationError`.

    >>> validate_hall_id("demo")
    'demo'
    """
    if (
        not isinstance(hall_id, str)
        or not HALL_ID_PATTERN.match(hall_id)
        or hall_id == PLATFORM_LOG
    ):
        raise ValidationError(
            f"invalid hall id {hall_id!r}: use 1-63 lowercase letters, digits and hyphens"
        )
    return hall_id


def canonical_badge(badge_number: str, what: str = "badge number") -> str:
    """The canonical form of a badge number (工号): without surrounding blanks, upper-case,
    so ``s001`` and ``S001`` are one member; :class:`ValidationError` unless it is one.

    >>> canonical_badge(" s001 ")
    'S001'
    """
    canonical = badge_number.strip().upper() if isinstance(badge_number, str) else ""
    if not BADGE.match(canonical):
        raise ValidationError(f"invalid {what} {badge_number!r}")
    return canonical


def normal_badge(badge_number: str) -> str:
    """A badge number as a command records it: the canonical form of a valid one, anything
    else as given (for the check that refuses it to name it as it was given).

    >>> normal_badge("s001"), normal_badge("not a badge")
    ('S001', 'not a badge')
    """
    canonical = badge_number.strip().upper()
    return canonical if BADGE.match(canonical) else badge_number


def same_badge(a: str, b: str) -> bool:
    """Whether two badge numbers name the same member, whatever their case (a badge recorded
    before badges were canonical may be lower-case); an empty badge names nobody.

    >>> same_badge("s001", "S001"), same_badge("", "")
    (True, False)
    """
    key = a.strip().upper()
    return bool(key) and key == b.strip().upper()


def stable_id(hall_id: str, kind: str, key: str) -> uuid.UUID:
    """The aggregate id for the record ``kind``/``key`` of a hall: same inputs, same id.

    >>> stable_id("demo", "item", "X1") == stable_id("demo", "item", "X1")
    True
    """
    return uuid.uuid5(_NAMESPACE, f"{hall_id}/{kind}/{key}")
