"""Values of the evaluations context (好差评, GB/T 39734 一次一评、一事一评)."""

from __future__ import annotations

import re
from enum import StrEnum

from services.shared.values import parse_enum, require_text

__all__ = [
    "AppealReason",
    "EvaluationChannel",
    "EvaluationStatus",
    "Indicator",
    "RatingLevel",
    "SubjectKind",
    "parse_enum",
    "require_text",
]


REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:@-]{0,63}\Z")
"""Opaque references: applicant ids, visit (ticket) and matter references."""
ITEM_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}\Z")


class RatingLevel(StrEnum):
    """The five levels of a rating.

    >>> RatingLevel.DISSATISFIED.is_bad, RatingLevel.BASIC.is_bad
    (True, False)
    """

    VERY_SATISFIED = "VERY_SATISFIED"
    """非常满意."""
    SATISFIED = "SATISFIED"
    """满意."""
    BASIC = "BASIC"
    """基本满意 (also the default of an unrated visit)."""
    DISSATISFIED = "DISSATISFIED"
    """不满意."""
    VERY_DISSATISFIED = "VERY_DISSATISFIED"
    """非常不满意."""

    @property
    def is_bad(self) -> bool:
        """差评: every bad rating is rectified (整改) and answered."""
        return self in (RatingLevel.DISSATISFIED, RatingLevel.VERY_DISSATISFIED)


class SubjectKind(StrEnum):
    """What is rated: 一次一评 (a visit) or 一事一评 (a matter)."""

    VISIT = "VISIT"
    """A visit to the hall, identified by its ticket (一次一评)."""
    MATTER = "MATTER"
    """A matter handled (e.g. a 帮办代办 case or an online application; 一事一评)."""


class EvaluationChannel(StrEnum):
    """Where the service was given; sets the indicators that can be scored."""

    OFFLINE = "OFFLINE"
    """In the hall, a station or at a window."""
    ONLINE = "ONLINE"
    """On the online platform, an app or a kiosk."""


class Indicator(StrEnum):
    """Indicators of a rating, each scored 1 (非常不满意) to 5 (非常满意)."""

    OVERALL = "OVERALL"
    """总体评价 (offline and online)."""
    EFFICIENCY = "EFFICIENCY"
    """办事效率 (offline and online)."""
    SERVICE_LEVEL = "SERVICE_LEVEL"
    """服务水平 (offline)."""
    ATTITUDE = "ATTITUDE"
    """服务态度 (offline)."""
    GUIDE_ACCURACY = "GUIDE_ACCURACY"
    """办事指南准确性 (online)."""
    CONVENIENCE = "CONVENIENCE"
    """办事便捷程度 (online)."""
    EASE_OF_USE = "EASE_OF_USE"
    """平台易用性 (online)."""


INDICATORS: dict[EvaluationChannel, frozenset[Indicator]] = {
    EvaluationChannel.OFFLINE: frozenset(
        {Indicator.OVERALL, Indicator.EFFICIENCY, Indicator.SERVICE_LEVEL, Indicator.ATTITUDE}
    ),
    EvaluationChannel.ONLINE: frozenset(
        {
            Indicator.OVERALL,
            Indicator.EFFICIENCY,
            Indicator.GUIDE_ACCURACY,
            Indicator.CONVENIENCE,
            Indicator.EASE_OF_USE,
        }
    ),
}
"""The indicators of each channel (offline: overall, efficiency, service level, attitude;
online: overall, efficiency, guide accuracy, convenience, ease of use)."""


class AppealReason(StrEnum):
    """Why a rating is appealed (申诉)."""

    MISTAKEN = "MISTAKEN"
    """误评: rated by mistake (wrong window, wrong level, wrong matter)."""
    MALICIOUS = "MALICIOUS"
    """恶意差评: malicious, e.g. unrelated to the service or to force an unlawful request."""


class EvaluationStatus(StrEnum):
    """Where an evaluation is: invited, then rated by the applicant or by default."""

    INVITED = "INVITED"
    RATED = "RATED"
    DEFAULTED = "DEFAULTED"
