"""Projection "catalog": one row per service item, updated by its events."""

from __future__ import annotations

from functools import singledispatchmethod
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from projections.runtime.rows import BatchRows, BatchRowsProjection, RowTable
from services.catalog.domain import ServiceItem

__all__ = ["CATALOG", "CatalogProjection"]

CATALOG = RowTable(
    "catalog_items",
    key=("tenant_id", "item_id"),  # unique like the primary key (code), and what events name
    columns=(
        "tenant_id",
        "code",
        "item_id",
        "name",
        "category",
        "legal_basis",
        "materials",
        "promised_working_days",
        "fee_cents",
        "rated",
        "revision",
        "status",
        "published_at",
        "updated_at",
        "position",
    ),
)


def _terms(event: ServiceItem.Published | ServiceItem.Revised) -> dict[str, Any]:
    return {
        "name": event.name,
        "category": event.category,
        "legal_basis": event.legal_basis,
        "materials": Jsonb(event.materials),
        "promised_working_days": event.promised_working_days,
        "fee_cents": event.fee_cents,
        "rated": event.rated,
    }


class CatalogProjection(BatchRowsProjection):
    """Keeps ``catalog_items`` in step with the service items of every hall (an item
    published and revised within a batch is written once)."""

    name = "catalog"
    tables = ("catalog_items",)

    @singledispatchmethod
    def apply(self, event: Any, conn: psycopg.Connection, tenant_id: str, position: int) -> None:
        """Other events change nothing here."""

    @apply.register
    def _(
        self, event: ServiceItem.Published, conn: psycopg.Connection, tenant_id: str, position: int
    ) -> None:
        row = {
            "tenant_id": tenant_id,
            "code": event.code,
            "item_id": event.originator_id,
            **_terms(event),
            "revision": 1,
            "status": "PUBLISHED",
            "published_at": event.timestamp,
            "updated_at": event.timestamp,
            "position": position,
        }
        BatchRows.of(conn).insert(CATALOG, row)

    @apply.register
    def _(
        self, event: ServiceItem.Revised, conn: psycopg.Connection, tenant_id: str, position: int
    ) -> None:
        sets = {
            **_terms(event),
            "revision": event.revision,
            "updated_at": event.timestamp,
            "position": position,
        }
        BatchRows.of(conn).update(CATALOG, (tenant_id, event.originator_id), sets)

    @apply.register
    def _(
        self, event: ServiceItem.Withdrawn, conn: psycopg.Connection, tenant_id: str, position: int
    ) -> None:
        sets = {"status": "WITHDRAWN", "updated_at": event.timestamp, "position": position}
        BatchRows.of(conn).update(CATALOG, (tenant_id, event.originator_id), sets)
