"""GraphQL types and resolvers of the halls context (a reference for context authors).

Shows: ``@allow`` on every field, the hall taken from the token (``readable_hall``: another
hall answers like a missing one), a dataloader batch query, a node type, a narrower field
on an ``INHERITED`` type (``Hall.policies``), and a subscription on the hall's log.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping, Sequence
from datetime import datetime

import strawberry
from strawberry.utils.str_converters import to_camel_case

from gateway.context import Info, run_sync
from gateway.dataloaders import load
from gateway.halls.policies import (
    ChangeHallPoliciesInput,
    ChangeHallPoliciesPayload,
    HallPoliciesType,
)
from gateway.relay import Node, global_id, register_node
from gateway.security import (
    AUTHENTICATED,
    HALL_STAFF,
    INHERITED,
    Role,
    allow,
    hall_of,
    platform_wide,
    readable_hall,
)
from gateway.subscriptions import hall_log_moves
from projections.halls import HallRow, get_hall
from services.halls import HallRegistry, PolicyValueError
from services.shared import validate_hall_id
from services.shared.errors import ValidationError
from services.store.pool import Pool

__all__ = ["Hall", "HallMutations", "HallQueries", "HallSubscriptions", "halls_by_id"]


def halls_by_id(pool: Pool, hall: str, ids: Sequence[str]) -> Mapping[str, HallRow]:
    """Batch query of the halls read model, read as ``hall``: a hall sees only itself, so
    any other id answers like a hall that does not exist."""
    row = get_hall(pool, hall) if hall in ids else None
    return {hall: row} if row is not None else {}


@allow(INHERITED)
@strawberry.type(
    description="A government service hall (政务服务大厅), one tenant of the platform."
)
class Hall(Node):
    hall_id: str
    name: str
    region: str
    registered_at: datetime | None

    @classmethod
    def from_row(cls, row: HallRow) -> Hall:
        return cls(
            id=global_id("Hall", row.tenant_id, row.tenant_id),
            hall_id=row.tenant_id,
            name=row.name,
            region=row.region,
            registered_at=row.registered_at,
        )

    @allow(*HALL_STAFF, Role.AUDITOR, Role.PLATFORM_OPERATOR)
    @strawberry.field(
        description="The hall's time limits and queue rules, as they stand now (the hall's "
        "staff, admins, supervisors and auditors; platform operators). Null for another hall."
    )
    async def policies(self, info: Info) -> HallPoliciesType | None:
        tenant = readable_hall(info, self.hall_id)
        if tenant is None:
            return None  # a hall reached from another hall's record (e.g. its public catalog)
        app = info.context.platform.hall_app(HallRegistry, tenant)
        hall = await run_sync(app.get_hall)
        return HallPoliciesType.from_policies(hall.policies)


register_node(
    "Hall",
    load=lambda pool, hall, ids: {
        i: Hall.from_row(r) for i, r in halls_by_id(pool, hall, ids).items()
    },
    who=(AUTHENTICATED,),
)


@allow(INHERITED)
@strawberry.type(description="The result of registering a hall.")
class RegisterHallPayload:
    hall_id: str
    name: str
    region: str
    position: int = strawberry.field(description="Position of the event in the hall's log.")


@allow(INHERITED)
@strawberry.type(description="How far a hall's event log has come.")
class HallLogPosition:
    hall_id: str
    position: int = strawberry.field(description="Position of the hall's latest event.")


@strawberry.input
class RegisterHallInput:
    hall_id: str = strawberry.field(description="Lowercase slug, 1-63 characters, e.g. 'demo'.")
    name: str
    region: str = ""


@strawberry.type
class HallQueries:
    @allow(AUTHENTICATED)
    @strawberry.field(description="The caller's own hall (or any hall, for platform operators).")
    async def hall(self, info: Info, hall_id: str | None = None) -> Hall | None:
        tenant = readable_hall(info, hall_id)
        if tenant is None:
            return None  # another hall answers exactly like one that does not exist
        row = await load(info, halls_by_id, tenant, tenant)
        return Hall.from_row(row) if row else None


@strawberry.type
class HallMutations:
    @allow(Role.PLATFORM_OPERATOR)
    @strawberry.mutation(
        description="Register a hall on the platform (platform operators, with a token bound "
        "to no hall)."
    )
    async def register_hall(self, info: Info, input: RegisterHallInput) -> RegisterHallPayload:
        platform_wide(info, "registering a hall")
        hall_id = validate_hall_id(input.hall_id)
        app = info.context.platform.hall_app(HallRegistry, hall_id)
        actor = info.context.principal.subject
        position = await run_sync(app.register_hall, input.name, input.region, actor)
        return RegisterHallPayload(
            hall_id=hall_id, name=input.name.strip(), region=input.region.strip(), position=position
        )

    @allow(Role.HALL_ADMIN)
    @strawberry.mutation(
        description="Change some of the caller's hall's policies; the others keep their "
        "values. VALIDATION, with nothing recorded, for a value out of range or when nothing "
        "would change (hall admins)."
    )
    async def change_hall_policies(
        self, info: Info, input: ChangeHallPoliciesInput
    ) -> ChangeHallPoliciesPayload:
        hall = hall_of(info)
        app = info.context.platform.hall_app(HallRegistry, hall)
        actor = info.context.principal.subject
        try:
            policies, position = await run_sync(app.amend_policies, input.changes(), actor)
        except PolicyValueError as refused:  # named as the input names it
            raise ValidationError(f"{to_camel_case(refused.policy)} {refused.rule}") from None
        return ChangeHallPoliciesPayload(
            hall_id=hall, policies=HallPoliciesType.from_policies(policies), position=position
        )


@strawberry.type
class HallSubscriptions:
    @allow(*HALL_STAFF, Role.AUDITOR)
    @strawberry.subscription(
        description="The caller's hall's log position now, then after every change."
    )
    async def hall_log(self, info: Info) -> AsyncGenerator[HallLogPosition, None]:
        hall = hall_of(info)
        async for position in hall_log_moves(info, hall):
            yield HallLogPosition(hall_id=hall, position=position)
