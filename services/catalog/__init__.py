"""Catalog (服务内容): the service items a hall offers."""

from services.catalog.application import CatalogService
from services.catalog.domain import (
    ItemCategory,
    ServiceItem,
    ServiceItemExistsError,
    ServiceItemNotFoundError,
    ServiceItemWithdrawnError,
)

__all__ = [
    "CatalogService",
    "ItemCategory",
    "ServiceItem",
    "ServiceItemExistsError",
    "ServiceItemNotFoundError",
    "ServiceItemWithdrawnError",
]
