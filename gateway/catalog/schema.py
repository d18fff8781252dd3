"""GraphQL types and resolvers of the catalog context (a reference for context authors).

Shows: ``@allow`` on every field (the public catalog is ``PUBLIC``), the hall from the token
for mutations, a Relay connection with a maximum page size, a dataloader for a related
record (each item's hall), a node type, and a subscription that follows a read model.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping, Sequence
from datetime import datetime
from enum import Enum
from functools import partial

import strawberry

from gateway.context import Info, run_sync
from gateway.dataloaders import load
from gateway.halls.schema import Hall, halls_by_id
from gateway.relay import Connection, Node, connection_from_rows, global_id, register_node
from gateway.security import HALL_STAFF, INHERITED, PUBLIC, Role, allow, hall_of, readable_hall
from gateway.subscriptions import projected_changes
from projections.catalog import CatalogItemRow, list_items
from services.catalog import CatalogService, ServiceItem
from services.catalog.application import ItemTerms
from services.store.pool import Pool

__all__ = ["CatalogMutations", "CatalogQueries", "CatalogSubscriptions", "ServiceItemType"]


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


@allow(INHERITED)
@strawberry.type(name="ServiceItem", description="A service item (服务事项) of a hall's catalog.")
class ServiceItemType(Node):
    hall_id: str
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

    @strawberry.field(description="The hall whose catalog holds the item.")
    async def hall(self, info: Info) -> Hall | None:
        row = await load(info, halls_by_id, self.hall_id, self.hall_id)
        return Hall.from_row(row) if row else None

    @classmethod
    def from_row(cls, row: CatalogItemRow, hall: str) -> ServiceItemType:
        return cls(
            id=global_id("ServiceItem", hall, row.code),
            hall_id=hall,
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
    def from_aggregate(cls, item: ServiceItem, hall: str) -> ServiceItemType:
        return cls(
            id=global_id("ServiceItem", hall, item.code),
            hall_id=hall,
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


def published_items(pool: Pool, hall: str, codes: Sequence[str]) -> Mapping[str, ServiceItemType]:
    """Node loader: a hall's published items by code (one query for any number of codes)."""
    wanted = set(codes)
    return {
        r.code: ServiceItemType.from_row(r, hall)
        for r in list_items(pool, hall)
        if r.code in wanted
    }


register_node("ServiceItem", load=published_items, who=(PUBLIC,))


async def _catalog(info: Info, hall_id: str, include_withdrawn: bool) -> list[ServiceItemType]:
    tenant = readable_hall(info, hall_id, public=not include_withdrawn)
    if include_withdrawn:
        info.context.principal.require(*HALL_STAFF)
    if tenant is None:
        return []  # another hall's withdrawn items answer like an empty catalog
    pool = info.context.platform.app_pool
    rows = await run_sync(list_items, pool, tenant, include_withdrawn=include_withdrawn)
    return [ServiceItemType.from_row(r, tenant) for r in rows]


@strawberry.type
class CatalogQueries:
    @allow(PUBLIC)
    @strawberry.field(
        description="A hall's public service catalog; no token needed. Withdrawn items "
        "only for the hall's own staff.",
        deprecation_reason="Use serviceItems (paginated).",
    )
    async def service_catalog(
        self, info: Info, hall_id: str, include_withdrawn: bool = False
    ) -> list[ServiceItemType]:
        return await _catalog(info, hall_id, include_withdrawn)

    @allow(PUBLIC)
    @strawberry.field(
        description="A hall's service items by code, a page at a time; no token needed. "
        "Withdrawn items only for the hall's own staff."
    )
    async def service_items(
        self,
        info: Info,
        hall_id: str,
        first: int | None = None,
        after: str | None = None,
        include_withdrawn: bool = False,
    ) -> Connection[ServiceItemType]:
        items = await _catalog(info, hall_id, include_withdrawn)
        return connection_from_rows(
            info, items, first=first, after=after, key=lambda i: (i.code,), node=lambda i: i
        )


@strawberry.type
class CatalogMutations:
    @allow(Role.HALL_ADMIN)
    @strawberry.mutation(description="Publish a new service item in the caller's hall.")
    async def publish_service_item(self, info: Info, input: ServiceItemInput) -> ServiceItemType:
        hall = hall_of(info)
        app = info.context.platform.hall_app(CatalogService, hall)
        actor = info.context.principal.subject
        item = await run_sync(app.publish_service_item, input.code, input.terms(), actor)
        return ServiceItemType.from_aggregate(item, hall)

    @allow(Role.HALL_ADMIN)
    @strawberry.mutation(description="Publish a new revision of an item's terms.")
    async def revise_service_item(self, info: Info, input: ServiceItemInput) -> ServiceItemType:
        hall = hall_of(info)
        app = info.context.platform.hall_app(CatalogService, hall)
        actor = info.context.principal.subject
        item = await run_sync(app.revise_service_item, input.code, input.terms(), actor)
        return ServiceItemType.from_aggregate(item, hall)

    @allow(Role.HALL_ADMIN)
    @strawberry.mutation(description="Withdraw an item from the caller's hall's catalog.")
    async def withdraw_service_item(self, info: Info, code: str, reason: str) -> ServiceItemType:
        hall = hall_of(info)
        app = info.context.platform.hall_app(CatalogService, hall)
        actor = info.context.principal.subject
        item = await run_sync(app.withdraw_service_item, code, reason, actor)
        return ServiceItemType.from_aggregate(item, hall)


@strawberry.type
class CatalogSubscriptions:
    @allow(PUBLIC)
    @strawberry.subscription(
        description="A hall's published catalog now, then each time it changes."
    )
    async def catalog_changed(
        self, info: Info, hall_id: str
    ) -> AsyncGenerator[list[ServiceItemType], None]:
        hall = readable_hall(info, hall_id, public=True)
        assert hall is not None
        pool = info.context.platform.app_pool
        read = partial(list_items, pool, hall)
        async for rows in projected_changes(info, hall, "catalog", read, share="published"):
            yield [ServiceItemType.from_row(r, hall) for r in rows]
