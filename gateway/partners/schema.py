"""GraphQL mutations of the partners context; roles are in each field's description.

Platform operators register partners (in the platform log); hall admins grant their hall's
event types to a registered partner and revoke grants (in the hall's log). Delivery to the
partner's topic follows from the returned position.
"""

from __future__ import annotations

import strawberry

from gateway.auth import Role
from gateway.context import Info, run_sync
from gateway.partners.types import (
    GrantStartEnum,
    PartnerGrantType,
    PartnerType,
    RegisterPartnerInput,
)
from gateway.security import allow, platform_wide
from services.partners import PLATFORM_LOG, GrantStart, PartnerGrants, PartnerRegistry
from services.relay.topics import partner_topic

__all__ = ["PartnerMutations"]


def _registry(info: Info) -> PartnerRegistry:
    return info.context.platform.hall_app(PartnerRegistry, PLATFORM_LOG)


@strawberry.type
class PartnerMutations:
    @allow(Role.PLATFORM_OPERATOR)
    @strawberry.mutation(
        description="Register a partner (platform operators, with a token bound to no hall)."
    )
    async def register_partner(self, info: Info, input: RegisterPartnerInput) -> PartnerType:
        principal = info.context.principal
        principal.require(Role.PLATFORM_OPERATOR)
        platform_wide(info, "registering a partner")
        position = await run_sync(
            _registry(info).register_partner,
            input.partner_id,
            input.name,
            input.contact,
            principal.subject,
        )
        return PartnerType(
            partner_id=input.partner_id,
            name=input.name.strip(),
            contact=input.contact.strip(),
            topic=partner_topic(input.partner_id),
            position=position,
        )

    @allow(Role.HALL_ADMIN)
    @strawberry.mutation(
        description="Grant a registered partner event types of the caller's hall, or change "
        "its grant (hall admins). Types are names such as queue.TicketIssued, or queue.* for "
        "all of a context's types, also those it gains later (privacy types are granted by "
        "name only; audit types, internal to the hall, not at all: VALIDATION). Personal data "
        "fields are null unless "
        "personalData is true. start BEGINNING backfills the hall's history of the newly "
        "granted types; NOW delivers from this grant's position on."
    )
    async def grant_partner(
        self,
        info: Info,
        partner_id: str,
        event_types: list[str],
        personal_data: bool = False,
        start: GrantStartEnum = GrantStartEnum.NOW,
    ) -> PartnerGrantType:
        principal = info.context.principal
        hall_id = principal.require_hall(Role.HALL_ADMIN)
        partner = await run_sync(_registry(info).get_partner, partner_id)
        app = info.context.platform.hall_app(PartnerGrants, hall_id)
        grant, position = await run_sync(
            app.grant,
            partner,
            event_types,
            personal_data,
            GrantStart(start.value),
            principal.subject,
        )
        return PartnerGrantType.from_aggregate(grant, position)

    @allow(Role.HALL_ADMIN)
    @strawberry.mutation(
        description="Revoke a partner's grant in the caller's hall (hall admins): no event "
        "after the revocation's position reaches the partner."
    )
    async def revoke_partner_grant(
        self, info: Info, partner_id: str, reason: str = ""
    ) -> PartnerGrantType:
        principal = info.context.principal
        hall_id = principal.require_hall(Role.HALL_ADMIN)
        app = info.context.platform.hall_app(PartnerGrants, hall_id)
        grant, position = await run_sync(app.revoke, partner_id, reason, principal.subject)
        return PartnerGrantType.from_aggregate(grant, position)
