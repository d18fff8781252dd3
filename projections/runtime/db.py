"""Tenant-scoped transactions for read-model queries (row-level security does the rest)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import psycopg
from psycopg.rows import class_row
from psycopg_pool import ConnectionPool

__all__ = ["every_page", "tenant_connection"]

R = TypeVar("R")


@contextmanager
def tenant_connection(pool: ConnectionPool, tenant_id: str) -> Iterator[psycopg.Connection]:
    """A connection inside a transaction that can only see ``tenant_id``'s rows."""
    with pool.connection() as conn, conn.transaction():
        conn.execute("SELECT set_config('yanshen.tenant_id', %s, true)", (tenant_id,))
        yield conn


def every_page(
    conn: psycopg.Connection[Any],
    sql: str,
    params: Sequence[Any],
    *,
    row: type[R],
    key: Callable[[R], tuple[Any, ...]],
    first: tuple[Any, ...],
    page: int,
) -> list[R]:
    """Every row of a keyset-paged query, read ``page`` at a time.

    ``sql`` takes ``params``, then the key of the last row read (``first``: before every
    key) and the page size, and orders by that key; ``key`` gives a row's key. A query for
    work (a scheduler's) reads all of it: rows the caller cannot finish this time must not
    hide the ones after them.
    """
    cur = conn.cursor(row_factory=class_row(row))
    found: list[R] = []
    after = first
    while True:
        rows = cur.execute(sql, (*params, *after, page)).fetchall()
        found += rows
        if len(rows) < page:
            return found
        after = key(rows[-1])
