"""Per-hall policies (各大厅的规则): the time limits and queue rules of one hall.

No national day-limits exist for most rules; each is a hall policy with a default taken
from a published local rule (sources in ``docs/domain.md``).

>>> HallPolicies().rectification_working_days
5
>>> HallPolicies.from_dict({"waiting_target_minutes": 20}).waiting_target_minutes
20
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from enum import StrEnum
from typing import Any

from services.shared.errors import ValidationError

__all__ = ["CallRule", "HallPolicies", "MissedNumberPolicy"]


class MissedNumberPolicy(StrEnum):
    """What happens to a called ticket whose holder did not come (过号)."""

    KEEP = "KEEP"
    """The ticket ends as a no-show."""
    REQUEUE = "REQUEUE"
    """The ticket goes back to the end of its queue."""
    DEFER = "DEFER"
    """The ticket goes back ``missed_number_defer_places`` places behind the head."""


class CallRule(StrEnum):
    """Which ticket a window calls next among the queues it serves."""

    LONGEST_WAITING = "LONGEST_WAITING"
    PRIORITY_THEN_LONGEST_WAITING = "PRIORITY_THEN_LONGEST_WAITING"


@dataclass(frozen=True)
class HallPolicies:
    """A hall's rules; every field has the default a new hall starts with."""

    unrated_default_days: int = 7
    """Natural days after which an unrated visit counts as 基本满意 (Guangdong rule)."""
    verification_call_working_days: int = 1
    """Working days to call back the rater of a bad rating (Liaoning rule)."""
    rectification_working_days: int = 5
    """Working days to rectify a bad rating (Dezhou, Xiangcheng; Liaoning uses 15)."""
    complaint_simple_working_days: int = 1
    """Simple complaints: on the spot or the next working day (county rules)."""
    complaint_complex_working_days: int = 5
    """Complex complaints: within a week (county rules)."""
    materials_notice_working_days: int = 5
    """一次性告知: notice of missing materials within 5 days (行政许可法 art. 32)."""
    waiting_target_minutes: int = 30
    """The waiting-time target of the queue board's service level."""
    missed_number_policy: MissedNumberPolicy = MissedNumberPolicy.KEEP
    missed_number_defer_places: int = 3
    call_rule: CallRule = CallRule.PRIORITY_THEN_LONGEST_WAITING

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, int) and not 0 <= value <= 365:
                raise ValidationError(f"policy {f.name} must be between 0 and 365")
        if self.unrated_default_days < 1 or self.rectification_working_days < 1:
            raise ValidationError("default-rating and rectification limits are at least 1 day")

    def to_dict(self) -> dict[str, Any]:
        return {k: (v.value if isinstance(v, StrEnum) else v) for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> HallPolicies:
        """Policies from (possibly partial) stored values; unknown keys are refused."""
        known = {f.name for f in fields(cls)}
        unknown = set(values) - known
        if unknown:
            raise ValidationError(f"unknown policies: {', '.join(sorted(unknown))}")
        try:
            merged = {**asdict(cls()), **values}
            merged["missed_number_policy"] = MissedNumberPolicy(merged["missed_number_policy"])
            merged["call_rule"] = CallRule(merged["call_rule"])
        except ValueError as error:
            raise ValidationError(str(error)) from None
        return cls(**merged)
