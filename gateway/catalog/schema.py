"""GraphQL types and resolvers of the catalog context."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from gateway.auth import Role
from gateway.context import Info, run_sync
from projections.catalog import CatalogItemRow, list_items
from services.catalog import CatalogService, ServiceItem
from services.catalog.application import ItemTerms
from services.shared import validate_hall_id

__all__ = ["CatalogMutations", "CatalogQueries"]


@strawberry.enum(description="The kind of extended service.")
class ItemCategory(Enum):
    HOTLINE_CONSULTATION = "HOTLINE_CONSULTATION"
    ASSISTANCE = "ASSISTANCE"
    REGISTERED_ADDRESS = "REGISTERED_ADDRESS"
    OTHER = "OTHER"


@strawberry.enum
class ItemStatus(Enum):
    PUBLISHED = "PUBLISHED"
    WITHDRAWN = "WITHDRAWN"


@strawberry.type(name="ServiceItem", description="A service item (服务事项) of a hall's catalog.")
class ServiceItemType:
    code: str
    name: str
    category: ItemCategory
    legal_basis: str
    materials: list[str]
    promised_working_days: int
    fee_cents: int
    rated: bool
    revision: int
    status: ItemStatus
    published_at: datetime | None
    updated_at: datetime | None

    @classmethod
    def from_row(cls, row: CatalogItemRow) -> ServiceItemType:
        return cls(
            code=row.code,
            name=row.name,
            category=ItemCategory(row.category),
            legal_basis=row.legal_basis,
            materials=list(row.materials),
            promised_working_days=row.promised_working_days,
            fee_cents=row.fee_cents,
            rated=row.rated,
            revision=row.revision,
            status=ItemStatus(row.status),
            published_at=row.published_at,
            updated_at=row.updated_at,
        )

    @classmethod
    def from_aggregate(cls, item: ServiceItem) -> ServiceItemType:
        return cls(
            code=item.code,
            name=item.name,
            category=ItemCategory(item.category.value),
            legal_basis=item.legal_basis,
            materials=list(item.materials),
            promised_working_days=item.promised_working_days,
            fee_cents=item.fee_cents,
            rated=item.rated,
            revision=item.revision,
            status=ItemStatus.WITHDRAWN if item.withdrawn else ItemStatus.PUBLISHED,
            published_at=item.created_on,
            updated_at=item.modified_on,
        )


@strawberry.input(description="The terms a hall promises for a service item.")
class ServiceItemInput:
    code: str = strawberry.field(description="Item code, unique in the hall (事项编码).")
    name: str
    category: ItemCategory
    legal_basis: str = ""
    materials: list[str] = strawberry.field(default_factory=list)
    promised_working_days: int = 0
    fee_cents: int = 0
    rated: bool = True

    def terms(self) -> ItemTerms:
        return ItemTerms(
            name=self.name,
            category=self.category.value,
            legal_basis=self.legal_basis,
            materials=list(self.materials),
            promised_working_days=self.promised_working_days,
            fee_cents=self.fee_cents,
            rated=self.rated,
        )


@strawberry.type
class CatalogQueries:
    @strawberry.field(description="A hall's public service catalog; no token needed.")
    async def service_catalog(
        self, info: Info, hall_id: str, include_withdrawn: bool = False
    ) -> list[ServiceItemType]:
        tenant = validate_hall_id(hall_id)
        if include_withdrawn:
            own = info.context.principal.require_hall(Role.HALL_ADMIN, Role.SUPERVISOR, Role.STAFF)
            if own != tenant:
                return []  # another hall's withdrawn items are not the caller's business
        rows = await run_sync(
            list_items, info.context.platform.app_pool, tenant, include_withdrawn=include_withdrawn
        )
        return [ServiceItemType.from_row(r) for r in rows]


@strawberry.type
class CatalogMutations:
    @strawberry.mutation(description="Publish a new service item in the caller's hall.")
    async def publish_service_item(self, info: Info, input: ServiceItemInput) -> ServiceItemType:
        principal = info.context.principal
        hall_id = principal.require_hall(Role.HALL_ADMIN)
        app = info.context.platform.hall_app(CatalogService, hall_id)
        item = await run_sync(
            app.publish_service_item, input.code, input.terms(), principal.subject
        )
        return ServiceItemType.from_aggregate(item)

    @strawberry.mutation(description="Publish a new revision of an item's terms.")
    async def revise_service_item(self, info: Info, input: ServiceItemInput) -> ServiceItemType:
        principal = info.context.principal
        hall_id = principal.require_hall(Role.HALL_ADMIN)
        app = info.context.platform.hall_app(CatalogService, hall_id)
        item = await run_sync(app.revise_service_item, input.code, input.terms(), principal.subject)
        return ServiceItemType.from_aggregate(item)

    @strawberry.mutation(description="Withdraw an item from the caller's hall's catalog.")
    async def withdraw_service_item(self, info: Info, code: str, reason: str) -> ServiceItemType:
        principal = info.context.principal
        hall_id = principal.require_hall(Role.HALL_ADMIN)
        app = info.context.platform.hall_app(CatalogService, hall_id)
        item = await run_sync(app.withdraw_service_item, code, reason, principal.subject)
        return ServiceItemType.from_aggregate(item)
