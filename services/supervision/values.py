"""Values of the supervision context (监督考核, GB/T 36112 and DB3205/T 1061)."""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum

from services.shared.errors import ValidationError
from services.shared.values import parse_enum, require_text

__all__ = [
    "AssessmentScope",
    "FindingCategory",
    "ImprovementSource",
    "InspectionKind",
    "InterviewStatus",
    "IntervieweeKind",
    "ViolationCategory",
    "parse_date",
    "parse_enum",
    "require_code",
    "require_text",
]


CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:@-]{0,63}\Z")
"""Window codes, badge numbers, item codes, user ids: what supervision points at."""
PERIOD = re.compile(r"^[0-9]{4}(?:-(?:0[1-9]|1[0-2])|-Q[1-4]|-H[12])?\Z")
"""An assessment period: ``2026``, ``2026-H1``, ``2026-Q2`` or ``2026-05``."""
MONTH = re.compile(r"^[0-9]{4}-(?:0[1-9]|1[0-2])\Z")
"""A monthly assessment period (``2026-05``)."""


class InspectionKind(StrEnum):
    """明察暗访: announced or unannounced inspections."""

    ANNOUNCED = "ANNOUNCED"
    """明察: announced."""
    UNANNOUNCED = "UNANNOUNCED"
    """暗访: unannounced (mystery visit)."""


class FindingCategory(StrEnum):
    """What an inspection finding is about (the parts of GB/T 36112)."""

    CONDUCT = "CONDUCT"
    """人员行为规范: appearance, behaviour, language of staff."""
    ORDER = "ORDER"
    """秩序管理: queueing, guidance, order in the hall."""
    ENVIRONMENT = "ENVIRONMENT"
    """场所环境: space division, cleanliness, signs."""
    ITEMS = "ITEMS"
    """事项管理: published items, guides, materials lists."""
    FACILITIES = "FACILITIES"
    """设施设备: kiosks, screens, accessibility."""
    RECORDS = "RECORDS"
    """文档管理: registers, ledgers, files."""
    DISCIPLINE = "DISCIPLINE"
    """工作纪律: absence from the post, private business at the window."""
    OTHER = "OTHER"


class ViolationCategory(StrEnum):
    """What a staff member's conduct violation (违规) was."""

    APPEARANCE = "APPEARANCE"
    """仪容仪表."""
    BEHAVIOUR = "BEHAVIOUR"
    """行为举止."""
    LANGUAGE = "LANGUAGE"
    """服务用语 (e.g. 生硬、推诿)."""
    DISCIPLINE = "DISCIPLINE"
    """工作纪律 (e.g. 脱岗、迟到早退)."""
    OTHER = "OTHER"


class AssessmentScope(StrEnum):
    """What a periodic assessment (考核) ranks."""

    WINDOW = "WINDOW"
    STAFF = "STAFF"
    ITEM = "ITEM"


class IntervieweeKind(StrEnum):
    """Who is called to an interview (约谈)."""

    STAFF = "STAFF"
    WINDOW = "WINDOW"
    DEPARTMENT = "DEPARTMENT"


class InterviewStatus(StrEnum):
    SCHEDULED = "SCHEDULED"
    HELD = "HELD"
    CANCELLED = "CANCELLED"


class ImprovementSource(StrEnum):
    """What an improvement action (改进措施) answers."""

    INSPECTION = "INSPECTION"
    ASSESSMENT = "ASSESSMENT"
    INTERVIEW = "INTERVIEW"
    VIOLATION = "VIOLATION"
    OTHER = "OTHER"


def parse_date(value: str, what: str) -> date:
    """An ISO date (``2026-05-06``), or a :class:`ValidationError`."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"{what} must be an ISO date (YYYY-MM-DD)") from None


def require_code(
    value: str, what: str, *, optional: bool = False, pattern: re.Pattern[str] = CODE
) -> str:
    """A code (window, badge, item, user id); empty only when ``optional``."""
    if (value or not optional) and not pattern.match(value):
        raise ValidationError(f"invalid {what} {value!r}")
    return value
