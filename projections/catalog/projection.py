"""Projection "catalog": one row per service item, updated by its events."""

from __future__ import annotations

from functools import singledispatchmethod
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from projections.runtime.projection import Projection
from services.catalog.domain import ServiceItem

__all__ = ["CatalogProjection"]

_TERMS = "name, category, legal_basis, materials, promised_working_days, fee_cents, rated"


class CatalogProjection(Projection):
    """Keeps ``catalog_items`` in step with the service items of every hall."""

    name = "catalog"
    tables = ("catalog_items",)

    @singledispatchmethod
    def apply(self, event: Any, conn: psycopg.Connection, tenant_id: str, position: int) -> None:
        """Other events change nothing here."""

    @apply.register
    def _(
        self, event: ServiceItem.Published, conn: psycopg.Connection, tenant_id: str, position: int
    ) -> None:
        conn.execute(
            f"INSERT INTO catalog_items (tenant_id, code, item_id, {_TERMS}, revision, status,"
            " published_at, updated_at, position)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 1, 'PUBLISHED', %s, %s, %s)",
            (
                tenant_id,
                event.code,
                event.originator_id,
                event.name,
                event.category,
                event.legal_basis,
                Jsonb(event.materials),
                event.promised_working_days,
                event.fee_cents,
                event.rated,
                event.timestamp,
                event.timestamp,
                position,
            ),
            prepare=True,
        )

    @apply.register
    def _(
        self, event: ServiceItem.Revised, conn: psycopg.Connection, tenant_id: str, position: int
    ) -> None:
        conn.execute(
            "UPDATE catalog_items SET name = %s, category = %s, legal_basis = %s,"
            " materials = %s, promised_working_days = %s, fee_cents = %s, rated = %s,"
            " revision = %s, updated_at = %s, position = %s"
            " WHERE tenant_id = %s AND item_id = %s",
            (
                event.name,
                event.category,
                event.legal_basis,
                Jsonb(event.materials),
                event.promised_working_days,
                event.fee_cents,
                event.rated,
                event.revision,
                event.timestamp,
                position,
                tenant_id,
                event.originator_id,
            ),
            prepare=True,
        )

    @apply.register
    def _(
        self, event: ServiceItem.Withdrawn, conn: psycopg.Connection, tenant_id: str, position: int
    ) -> None:
        conn.execute(
            "UPDATE catalog_items SET status = 'WITHDRAWN', updated_at = %s, position = %s"
            " WHERE tenant_id = %s AND item_id = %s",
            (event.timestamp, position, tenant_id, event.originator_id),
        )
