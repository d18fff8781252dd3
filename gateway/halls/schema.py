"""GraphQL types and resolvers of the halls context."""

from __future__ import annotations

from datetime import datetime

import strawberry

from gateway.auth import Role
from gateway.context import Info, run_sync
from projections.halls import HallRow, get_hall
from services.halls import HallRegistry
from services.shared import validate_hall_id

__all__ = ["HallMutations", "HallQueries"]


@strawberry.type(
    description="A government service hall (政务服务大厅), one tenant of the platform."
)
class Hall:
    hall_id: str
    name: str
    region: str
    registered_at: datetime | None

    @classmethod
    def from_row(cls, row: HallRow) -> Hall:
        return cls(
            hall_id=row.tenant_id, name=row.name, region=row.region, registered_at=row.registered_at
        )


@strawberry.type(description="The result of registering a hall.")
class RegisterHallPayload:
    hall_id: str
    name: str
    region: str
    position: int = strawberry.field(description="Position of the event in the hall's log.")


@strawberry.input
class RegisterHallInput:
    hall_id: str = strawberry.field(description="Lowercase slug, 1-63 characters, e.g. 'demo'.")
    name: str
    region: str = ""


@strawberry.type
class HallQueries:
    @strawberry.field(description="The caller's own hall (or any hall, for platform operators).")
    async def hall(self, info: Info, hall_id: str | None = None) -> Hall | None:
        principal = info.context.principal
        if principal.role is Role.PLATFORM_OPERATOR and hall_id:
            tenant = validate_hall_id(hall_id)
        else:
            tenant = principal.require_hall(*Role)
            if hall_id and hall_id != tenant:
                return None  # another hall answers exactly like one that does not exist
        row = await run_sync(get_hall, info.context.platform.app_pool, tenant)
        return Hall.from_row(row) if row else None


@strawberry.type
class HallMutations:
    @strawberry.mutation(description="Register a hall on the platform (platform operators).")
    async def register_hall(self, info: Info, input: RegisterHallInput) -> RegisterHallPayload:
        principal = info.context.principal
        principal.require(Role.PLATFORM_OPERATOR)
        hall_id = validate_hall_id(input.hall_id)
        app = info.context.platform.hall_app(HallRegistry, hall_id)
        position = await run_sync(app.register_hall, input.name, input.region, principal.subject)
        return RegisterHallPayload(
            hall_id=hall_id, name=input.name.strip(), region=input.region.strip(), position=position
        )
