"""The gateway's ``Date`` and ``DateTime``: one written form each, anything else ``VALIDATION``.

Strawberry's own scalars parse with :meth:`date.fromisoformat` and ``dateutil``'s
``isoparse``, which take far more than a hall documents: ``20280101`` and the week date
``2028-W01-1`` as dates; a bare date, ``20280101T0800``, hours alone or an offset of
``+23:59`` as times. A client's typo or an unusual library would then be read as some
other day, silently. These replace them in every schema the gateway builds (same names,
same answers: ``isoformat``); only what they accept is narrower
(:func:`services.shared.values.parse_date`, :func:`~services.shared.values.parse_datetime`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from operator import methodcaller

from strawberry.types.scalar import ScalarDefinition, scalar

from services.shared.values import DATE_FORMAT, DATETIME_FORMAT, parse_date, parse_datetime

__all__ = ["DATE", "DATETIME", "SCALARS"]


def _date(value: object) -> date:
    return parse_date(value, "a Date")


def _datetime(value: object) -> datetime:
    return parse_datetime(value, "a DateTime")


DATE: ScalarDefinition = scalar(
    name="Date",
    description=f"A calendar day, written {DATE_FORMAT}.",
    serialize=methodcaller("isoformat"),
    parse_value=_date,
)
DATETIME: ScalarDefinition = scalar(
    name="DateTime",
    description=f"A time, written {DATETIME_FORMAT}. Answers carry the offset; an "
    "argument without one is refused unless its field says what it means.",
    serialize=methodcaller("isoformat"),
    parse_value=_datetime,
)

SCALARS: Mapping[object, ScalarDefinition] = {date: DATE, datetime: DATETIME}
"""The scalar map of the gateway's schemas (``StrawberryConfig.scalar_map``)."""
