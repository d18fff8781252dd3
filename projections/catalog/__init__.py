"""The public service catalog of each hall (服务事项目录): projection and queries."""

from projections.catalog.projection import CatalogProjection
from projections.catalog.view import CatalogItemRow, get_item, list_items

__all__ = ["CatalogItemRow", "CatalogProjection", "get_item", "list_items"]
