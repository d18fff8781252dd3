"""GraphQL types of a hall's policies (time limits, queue and evaluation rules,
``services/halls/policies``).

The enums are GraphQL copies of the domain's (same names and values), so the domain classes
stay free of GraphQL; for the type checker they are the domain enums. Every policy of
``HallPolicies`` is a field of ``HallPolicies`` and of ``ChangeHallPoliciesInput`` (a unit
test checks that none is forgotten).
"""

from __future__ import annotations

from enum import Enum, StrEnum
from typing import TYPE_CHECKING, Any

import strawberry

from gateway.security import INHERITED, allow
from services.halls import CallRule, HallPolicies, MissedNumberPolicy

__all__ = [
    "CallRuleEnum",
    "ChangeHallPoliciesInput",
    "ChangeHallPoliciesPayload",
    "HallPoliciesType",
    "MissedNumberPolicyEnum",
]


def graphql_enum(domain: type[StrEnum], name: str, description: str) -> Any:
    """A GraphQL enum with the names and values of the domain enum ``domain``."""
    copy = Enum(name, {member.name: member.value for member in domain})  # type: ignore[misc]
    return strawberry.enum(copy, name=name, description=description)


if TYPE_CHECKING:
    MissedNumberPolicyEnum = MissedNumberPolicy
    CallRuleEnum = CallRule
else:
    MissedNumberPolicyEnum = graphql_enum(
        MissedNumberPolicy,
        "MissedNumberPolicy",
        "What a missed number (过号) does: KEEP ends the ticket as a no-show, REQUEUE puts it "
        "at the end of its line, DEFER missedNumberDeferPlaces places behind the head.",
    )
    CallRuleEnum = graphql_enum(
        CallRule,
        "CallRule",
        "Which ticket a window calls next among its queues: the longest waiting, or priority "
        "groups (优先服务) first, then the longest waiting.",
    )

_UNRATED = "Natural days after which an unrated visit counts as 基本满意 (1-365; default 7)."
_VERIFICATION = "Working days to call back the rater of a bad rating (0-365; default 1)."
_RECTIFICATION = "Working days to rectify a bad rating (1-365; default 5, Liaoning 15)."
_SIMPLE = "Working days for a complaint handled on the spot (0-365; default 1)."
_COMPLEX = "Working days for a referred or intervention complaint (0-365; default 5)."
_NOTICE = "Working days for the notice of missing materials (一次性告知; 0-365; default 5)."
_TARGET = "The queue board's waiting-time target in minutes (0-365; default 30)."
_MISSED = "What a missed number (过号) does (default KEEP)."
_DEFER = "Places behind the head a deferred ticket goes back (0-365; default 3)."
_CALL = "Which ticket a window calls next (default PRIORITY_THEN_LONGEST_WAITING)."
_INVITE = (
    "一次一评: a visit whose service ends normally at a window is invited to rate in the same "
    "commit (endTicketService returns the invitation; default true). Off for a hall that "
    "invites through inviteEvaluation itself."
)


@allow(INHERITED)
@strawberry.type(
    name="HallPolicies",
    description="A hall's time limits and queue rules (defaults until its admins change them).",
)
class HallPoliciesType:
    unrated_default_days: int = strawberry.field(description=_UNRATED)
    verification_call_working_days: int = strawberry.field(description=_VERIFICATION)
    rectification_working_days: int = strawberry.field(description=_RECTIFICATION)
    complaint_simple_working_days: int = strawberry.field(description=_SIMPLE)
    complaint_complex_working_days: int = strawberry.field(description=_COMPLEX)
    materials_notice_working_days: int = strawberry.field(description=_NOTICE)
    waiting_target_minutes: int = strawberry.field(description=_TARGET)
    missed_number_policy: MissedNumberPolicyEnum = strawberry.field(description=_MISSED)
    missed_number_defer_places: int = strawberry.field(description=_DEFER)
    call_rule: CallRuleEnum = strawberry.field(description=_CALL)
    invite_served_visits: bool = strawberry.field(description=_INVITE)

    @classmethod
    def from_policies(cls, policies: HallPolicies) -> HallPoliciesType:
        values = policies.to_dict()
        values["missed_number_policy"] = MissedNumberPolicyEnum(values["missed_number_policy"])
        values["call_rule"] = CallRuleEnum(values["call_rule"])
        return cls(**values)


@strawberry.input(
    description="The policies to change: a policy left out (or null) keeps its value."
)
class ChangeHallPoliciesInput:
    unrated_default_days: int | None = strawberry.field(default=None, description=_UNRATED)
    verification_call_working_days: int | None = strawberry.field(
        default=None, description=_VERIFICATION
    )
    rectification_working_days: int | None = strawberry.field(
        default=None, description=_RECTIFICATION
    )
    complaint_simple_working_days: int | None = strawberry.field(default=None, description=_SIMPLE)
    complaint_complex_working_days: int | None = strawberry.field(
        default=None, description=_COMPLEX
    )
    materials_notice_working_days: int | None = strawberry.field(default=None, description=_NOTICE)
    waiting_target_minutes: int | None = strawberry.field(default=None, description=_TARGET)
    missed_number_policy: MissedNumberPolicyEnum | None = strawberry.field(
        default=None, description=_MISSED
    )
    missed_number_defer_places: int | None = strawberry.field(default=None, description=_DEFER)
    call_rule: CallRuleEnum | None = strawberry.field(default=None, description=_CALL)
    invite_served_visits: bool | None = strawberry.field(default=None, description=_INVITE)

    def changes(self) -> dict[str, Any]:
        """``{policy: value}`` of the policies given (enums as their domain values)."""
        given = {name: getattr(self, name) for name in HallPolicies.__dataclass_fields__}
        return {
            name: value.value if isinstance(value, Enum) else value
            for name, value in given.items()
            if value is not None
        }


@allow(INHERITED)
@strawberry.type(description="The result of changing a hall's policies.")
class ChangeHallPoliciesPayload:
    hall_id: str
    policies: HallPoliciesType = strawberry.field(description="Every policy, as changed.")
    position: int = strawberry.field(description="Position of the event in the hall's log.")
