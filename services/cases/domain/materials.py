"""Materials (申请材料) against an item's list, and the one-time notice (一次性告知) rules.

Pure functions over lists of material names; each refuses bad input with a case error.

>>> check_received(["身份证", "委托书"], ["委托书"])
(['委托书'], ['身份证'])
>>> notice_list(["身份证"], ["身份证"])
['身份证']
"""

from __future__ import annotations

from services.cases.domain.errors import CaseValidationError, IncompleteNoticeError
from services.cases.domain.values import require_text

__all__ = ["check_received", "notice_list", "supplied", "unique"]


def unique(values: list[str], what: str = "a material") -> list[str]:
    """``values`` stripped, in order, without repeats; blank or over-long ones refused."""
    seen: dict[str, None] = {}
    for value in values:
        seen.setdefault(require_text(value, what, limit=200), None)
    return list(seen)


def check_received(required: list[str], received: list[str]) -> tuple[list[str], list[str]]:
    """``(received, missing)``: what was handed in, and what of the item's list is not."""
    got = unique(received)
    unknown = [m for m in got if m not in required]
    if unknown:
        raise CaseValidationError(f"not on the item's materials list: {', '.join(unknown)}")
    return got, [m for m in required if m not in got]


def notice_list(missing: list[str], listed: list[str]) -> list[str]:
    """The notice's materials: exactly the missing ones, every one of them at once."""
    names = unique(listed)
    extra = [m for m in names if m not in missing]
    if extra:
        raise CaseValidationError(f"not missing, cannot be noticed: {', '.join(extra)}")
    omitted = [m for m in missing if m not in names]
    if omitted:
        raise IncompleteNoticeError(
            f"一次性告知 lists every missing material at once; omitted: {', '.join(omitted)}"
        )
    return list(missing)


def supplied(outstanding: list[str], materials: list[str]) -> tuple[list[str], list[str]]:
    """``(supplied, still_outstanding)`` for materials supplied against the notice."""
    got = unique(materials)
    if not got:
        raise CaseValidationError("name the materials supplied")
    extra = [m for m in got if m not in outstanding]
    if extra:
        raise CaseValidationError(f"not outstanding in the notice: {', '.join(extra)}")
    return got, [m for m in outstanding if m not in got]
