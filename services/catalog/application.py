"""CatalogService: hall admins publish, revise and withdraw service items."""

from __future__ import annotations

from dataclasses import dataclass, field

from services.catalog.domain import (
    ServiceItem,
    ServiceItemExistsError,
    ServiceItemNotFoundError,
)
from services.halls.application import require_registered_hall
from services.shared.application import HallApplication
from services.shared.errors import ConflictError

__all__ = ["CatalogService", "ItemTerms"]


@dataclass(frozen=True)
class ItemTerms:
    """What a hall promises for an item (the command's input); ``category`` is an
    :class:`ItemCategory` value."""

    name: str
    category: str
    legal_basis: str = ""
    materials: list[str] = field(default_factory=list)
    promised_working_days: int = 0
    fee_cents: int = 0
    rated: bool = True


class CatalogService(HallApplication):
    """Application service for one hall's catalog."""

    def publish_service_item(self, code: str, terms: ItemTerms, actor: str) -> ServiceItem:
        """Publish a new item; the hall must be registered and the code new in this hall."""
        require_registered_hall(self)
        item_id = ServiceItem.create_id(self.hall_id, code)
        if self.get_or_none(item_id) is not None:
            raise ServiceItemExistsError(f"item {code!r} is already published in this hall")
        item = ServiceItem(
            hall_id=self.hall_id,
            code=code,
            name=terms.name,
            category=terms.category,
            legal_basis=terms.legal_basis,
            materials=list(terms.materials),
            promised_working_days=terms.promised_working_days,
            fee_cents=terms.fee_cents,
            rated=terms.rated,
            actor=actor,
            timestamp=self.clock(),
        )
        self.save_or_conflict(item, conflict=ServiceItemExistsError(f"item {code!r} exists"))
        return item

    def revise_service_item(self, code: str, terms: ItemTerms, actor: str) -> ServiceItem:
        item = self.get_item(code)
        item.revise(
            terms.name,
            terms.category,
            terms.legal_basis,
            list(terms.materials),
            terms.promised_working_days,
            terms.fee_cents,
            terms.rated,
            self.clock(),
            actor,
        )
        self.save_or_conflict(item, conflict=ConflictError(f"item {code!r} changed concurrently"))
        return item

    def withdraw_service_item(self, code: str, reason: str, actor: str) -> ServiceItem:
        item = self.get_item(code)
        item.withdraw(reason, self.clock(), actor)
        self.save_or_conflict(item, conflict=ConflictError(f"item {code!r} changed concurrently"))
        return item

    def get_item(self, code: str) -> ServiceItem:
        item = self.get_or_none(ServiceItem.create_id(self.hall_id, code))
        if item is None:
            raise ServiceItemNotFoundError(f"no item {code!r} in this hall")
        assert isinstance(item, ServiceItem)
        return item
