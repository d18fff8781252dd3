"""Queries over the halls read model."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from psycopg.rows import class_row
from psycopg_pool import ConnectionPool

from projections.runtime.db import tenant_connection

__all__ = ["HallRow", "get_hall"]


@dataclass(frozen=True)
class HallRow:
    tenant_id: str
    name: str
    region: str
    registered_at: datetime


def get_hall(pool: ConnectionPool, tenant_id: str) -> HallRow | None:
    with tenant_connection(pool, tenant_id) as conn:
        cur = conn.cursor(row_factory=class_row(HallRow))
        return cur.execute("SELECT tenant_id, name, region, registered_at FROM halls").fetchone()
