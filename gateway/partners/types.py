"""GraphQL types of the partners context."""

from __future__ import annotations

from enum import Enum

import strawberry

from gateway.security import INHERITED, allow
from services.partners import Grant
from services.partners.scope import covered_types
from services.relay.topics import partner_topic

__all__ = ["GrantStartEnum", "PartnerGrantType", "PartnerType", "RegisterPartnerInput"]


@strawberry.enum(name="GrantStart", description="Where delivery of newly granted types starts.")
class GrantStartEnum(Enum):
    BEGINNING = "BEGINNING"
    NOW = "NOW"


@strawberry.input(description="A partner to register (platform operators).")
class RegisterPartnerInput:
    partner_id: str = strawberry.field(
        description="Lowercase slug, 1-63 characters; names the topic yanshen.partner.<id>."
    )
    name: str
    contact: str = ""


@allow(INHERITED)
@strawberry.type(name="Partner", description="A system that receives halls' events on Kafka.")
class PartnerType:
    partner_id: str
    name: str
    contact: str
    topic: str = strawberry.field(description="The partner's own Kafka topic.")
    position: int = strawberry.field(description="Position of the event in the platform log.")


@allow(INHERITED)
@strawberry.type(name="PartnerGrant", description="A hall's grant to a partner (数据共享授权).")
class PartnerGrantType:
    hall_id: str
    partner_id: str
    patterns: list[str] = strawberry.field(
        description="The grant as given: event type names and context.* patterns (a "
        "pattern also covers the types its context gains later)."
    )
    event_types: list[str] = strawberry.field(
        description="The event types the grant covers now (its patterns matched against "
        "today's types)."
    )
    personal_data: bool
    active: bool
    topic: str
    position: int = strawberry.field(
        description="Position of the grant's event in the hall's log: delivery changes there."
    )

    @classmethod
    def from_aggregate(cls, grant: Grant, position: int) -> PartnerGrantType:
        return cls(
            hall_id=grant.hall_id,
            partner_id=grant.partner_id,
            patterns=list(grant.patterns),
            event_types=sorted(covered_types(grant.patterns)),
            personal_data=grant.personal_data,
            active=grant.active,
            topic=partner_topic(grant.partner_id),
            position=position,
        )
