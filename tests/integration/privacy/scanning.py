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
def find_plaintext(database_url) -> Callable[[str], list[str]]:
    """``find_plaintext(s)``: every ``schema.table`` of the database where ``s`` appears in
    any column of any row, read with the admin (login) role, which bypasses row-level security.
    """

    def find(needle: str) -> list[str]:
        found = []
        with psycopg.connect(database_url, autocommit=True) as conn:
            tables = conn.execute(
                "SELECT table_schema, table_name FROM information_schema.tables"
                " WHERE table_type = 'BASE TABLE'"
                " AND table_schema NOT IN ('pg_catalog', 'information_schema')"
            ).fetchall()
            assert len(tables) > 5
            for schema, table in tables:
                ident = sql.Identifier(schema, table)
                for form in _forms(needle):
                    query = sql.SQL("SELECT count(*) FROM {} t WHERE t::text ILIKE %s").format(
                        ident
                    )
                    row = conn.execute(query, (f"%{form}%",)).fetchone()
                    if row and row[0]:
                        found.append(f"{schema}.{table}")
                        break
        return found

    return find
