"""Tenant-scoped transactions for read-model queries (row-level security does the rest)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg_pool import ConnectionPool

__all__ = ["tenant_connection"]


@contextmanager
def tenant_connection(pool: ConnectionPool, tenant_id: str) -> Iterator[psycopg.Connection]:
    """A connection inside a transaction that can only see ``tenant_id``'s rows."""
    with pool.connection() as conn, conn.transaction():
        conn.execute("SELECT set_config('yanshen.tenant_id', %s, true)", (tenant_id,))
        yield conn
