"""Queries over the catalog read model: the only way the gateway reads ``catalog_items``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from psycopg.rows import class_row
from psycopg_pool import ConnectionPool

from projections.runtime.db import tenant_connection

__all__ = ["CatalogItemRow", "get_item", "list_items"]


@dataclass(frozen=True)
class CatalogItemRow:
    """A service item as the catalog shows it."""

    code: str
    item_id: UUID
    name: str
    category: str
    legal_basis: str
    materials: list[str]
    promised_working_days: int
    fee_cents: int
    rated: bool
    revision: int
    status: str
    published_at: datetime
    updated_at: datetime


_COLUMNS = (
    "code, item_id, name, category, legal_basis, materials, promised_working_days, fee_cents,"
    " rated, revision, status, published_at, updated_at"
)


def list_items(
    pool: ConnectionPool, tenant_id: str, *, include_withdrawn: bool = False
) -> list[CatalogItemRow]:
    """A hall's items ordered by code; withdrawn ones only when asked for."""
    where = "" if include_withdrawn else " WHERE status = 'PUBLISHED'"
    with tenant_connection(pool, tenant_id) as conn:
        cur = conn.cursor(row_factory=class_row(CatalogItemRow))
        return cur.execute(f"SELECT {_COLUMNS} FROM catalog_items{where} ORDER BY code").fetchall()


def get_item(pool: ConnectionPool, tenant_id: str, code: str) -> CatalogItemRow | None:
    with tenant_connection(pool, tenant_id) as conn:
        cur = conn.cursor(row_factory=class_row(CatalogItemRow))
        return cur.execute(
            f"SELECT {_COLUMNS} FROM catalog_items WHERE code = %s", (code,)
        ).fetchone()
