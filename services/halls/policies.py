"""Per-hall policies (各大厅的规则): the time limits, queue and evaluation rules of one hall.

No national day-limits exist for most rules; each is a hall policy with a default taken
from a published local rule (sources in ``docs/domain.md``).

>>> HallPolicies().rectification_working_days
5
>>> HallPolicies.from_dict({"waiting_target_minutes": 20}).waiting_target_minutes
20
>>> HallPolicies().with_changes({"rectification_working_days": 15}).rectification_working_days
15

New input (:meth:`HallPolicies.from_dict`, :meth:`HallPolicies.with_changes`) is checked
strictly: an unknown policy name is refused. Stored values (:meth:`HallPolicies.from_stored`,
what a ``HallPoliciesChanged`` event recorded) are read tolerantly: a name this version does
not know is ignored, so that a policy removed in a later version does not make every command
of a hall that once set it fail.

>>> HallPolicies.from_stored({"retired_policy": 2, "call_rule": "LONGEST_WAITING"}).call_rule
<CallRule.LONGEST_WAITING: 'LONGEST_WAITING'>
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from enum import StrEnum
from typing import Any

from services.shared.errors import ValidationError

__all__ = ["CallRule", "HallPolicies", "MissedNumberPolicy", "PolicyValueError"]


class PolicyValueError(ValidationError):
    """A policy's value is out of its range or of another type: ``policy policy rule``.

    ``policy`` is the policy's name and ``rule`` what its value must be, so that a caller
    that names policies otherwise (GraphQL's ``waitingTargetMinutes``) can say it in its
    own words.
    """

    def __init__(self, policy: str, rule: str) -> None:
        super().__init__(f"policy {policy} {rule}")
        self.policy, self.rule = policy, rule


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


_ENUMS: dict[str, type[StrEnum]] = {
    "missed_number_policy": MissedNumberPolicy,
    "call_rule": CallRule,
}
"""The policies that take one of a few values; every other policy is a whole number."""
_SWITCHES = frozenset({"invite_served_visits"})
"""The policies that are on or off (``True`` / ``False``)."""
_AT_LEAST_ONE = frozenset({"unrated_default_days", "rectification_working_days"})
"""Whole-number policies that cannot be 0 (a rating or rectification period of no day)."""
_MAX = 365


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
    invite_served_visits: bool = True
    """一次一评: a visit whose service ends normally at a window is invited to rate in the
    same save (``services/evaluations/visits.py``); off for a hall that invites through the
    API itself."""

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            enum = _ENUMS.get(f.name)
            if enum is not None:
                if not isinstance(value, enum):
                    choices = ", ".join(m.value for m in enum)
                    raise PolicyValueError(f.name, f"must be one of {choices}")
                continue
            if f.name in _SWITCHES:
                if not isinstance(value, bool):
                    raise PolicyValueError(f.name, "must be true or false")
                continue
            # bool is an int in Python: True must not pass for "1 day"
            if isinstance(value, bool) or not isinstance(value, int):
                raise PolicyValueError(f.name, "must be a whole number")
            lowest = 1 if f.name in _AT_LEAST_ONE else 0
            if not lowest <= value <= _MAX:
                raise PolicyValueError(f.name, f"must be between {lowest} and {_MAX}")

    def to_dict(self) -> dict[str, Any]:
        return {k: (v.value if isinstance(v, StrEnum) else v) for k, v in asdict(self).items()}

    def with_changes(self, changes: Mapping[str, Any]) -> HallPolicies:
        """These policies with ``changes`` (new input: checked like :meth:`from_dict`)."""
        return HallPolicies.from_dict({**self.to_dict(), **changes})

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> HallPolicies:
        """Policies from new (possibly partial) input; unknown names are refused."""
        unknown = set(values) - {f.name for f in fields(cls)}
        if unknown:
            raise ValidationError(f"unknown policies: {', '.join(sorted(unknown))}")
        return cls._parse(values)

    @classmethod
    def from_stored(cls, values: Mapping[str, Any]) -> HallPolicies:
        """Policies from recorded (possibly partial) values; unknown names are ignored.

        Recorded values were valid when recorded. A name this version does not know is a
        policy a later version removed (or an older one never had): refusing it here would
        make every command of the hall fail, for a rule that no longer exists. Narrowing a
        range or removing an enum value needs an upcast of ``HallPoliciesChanged`` instead.
        """
        known = {f.name for f in fields(cls)}
        return cls._parse({k: v for k, v in values.items() if k in known})

    @classmethod
    def _parse(cls, values: Mapping[str, Any]) -> HallPolicies:
        merged = {**asdict(cls()), **values}
        for name, enum in _ENUMS.items():
            try:
                merged[name] = enum(merged[name])
            except (ValueError, TypeError):
                choices = ", ".join(m.value for m in enum)
                raise PolicyValueError(name, f"must be one of {choices}") from None
        return cls(**merged)
