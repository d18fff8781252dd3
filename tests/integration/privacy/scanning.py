"""Finding plaintext anywhere in the database: every column of every table, as admin."""

from __future__ import annotations

import json
from collections.abc import Callable

import psycopg
import pytest
from psycopg import sql

__all__ = ["find_plaintext"]


def _forms(needle: str) -> list[str]:
    """How ``needle`` could appear in a row's text: as is, JSON-escaped, or as bytea hex."""
    escaped = json.dumps(needle)[1:-1]
    return sorted({needle, escaped, needle.encode().hex()})


@pytest.fixture
def find_plaintext(database_url) -> Callable[..., list[str]]:
    """``find_plaintext(s, tenant=None)``: every ``schema.table`` of the database where ``s``
    appears in any column of any row, read with the admin (login) role, which bypasses
    row-level security. With ``tenant``, only that hall's rows of the tables that have a
    ``tenant_id`` column (other tables whole): the same name may be another hall's data,
    e.g. the demo hall's staff, listed by the staff roster of every hall seeded so.
    """

    def find(needle: str, tenant: str | None = None) -> list[str]:
        found = []
        with psycopg.connect(database_url, autocommit=True) as conn:
            tables = conn.execute(
                "SELECT t.table_schema, t.table_name, EXISTS (SELECT 1 FROM"
                " information_schema.columns c WHERE c.table_schema = t.table_schema"
                " AND c.table_name = t.table_name AND c.column_name = 'tenant_id')"
                " FROM information_schema.tables t"
                " WHERE t.table_type = 'BASE TABLE'"
                " AND t.table_schema NOT IN ('pg_catalog', 'information_schema')"
            ).fetchall()
            assert len(tables) > 5
            for schema, table, has_tenant in tables:
                ident = sql.Identifier(schema, table)
                scoped = tenant is not None and has_tenant
                query = sql.SQL("SELECT count(*) FROM {} t WHERE t::text ILIKE %s{}").format(
                    ident, sql.SQL(" AND t.tenant_id = %s" if scoped else "")
                )
                for form in _forms(needle):
                    params = (f"%{form}%", tenant) if scoped else (f"%{form}%",)
                    row = conn.execute(query, params).fetchone()
                    if row and row[0]:
                        found.append(f"{schema}.{table}")
                        break
        return found

    return find
