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
"""A staff badge number (工号): 1-32 letters, digits or '-'; the staff context defines it."""

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


def stable_id(hall_id: str, kind: str, key: str) -> uuid.UUID:
    """The aggregate id for the record ``kind``/``key`` of a hall: same inputs, same id.

    >>> stable_id("demo", "item", "X1") == stable_id("demo", "item", "X1")
    True
    """
    return uuid.uuid5(_NAMESPACE, f"{hall_id}/{kind}/{key}")
