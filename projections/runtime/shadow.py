"""Shadow copies of a projection's tables, and swapping them in (owner connection).

The shadow is a schema of its own, ``yanshen_rebuild_<projection>``, in which the
projection's SQL files are replayed with ``search_path`` pointing there: the tables come out
with the same names, columns, indexes, grants and row-level security as the live ones. A
rebuild's batches run with the same ``search_path``, so the projection's handlers (which
name their tables unqualified) write into the shadow without knowing it.

Swapping a whole read model moves the live tables out (``ALTER TABLE … SET SCHEMA``) and the
shadow tables in, in one transaction: readers wait for the swap's lock for a moment and then
read the new table; they never see a missing or half-built one.
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql

from projections.runtime.projection import Projection

__all__ = [
    "ShadowError",
    "columns",
    "copy_hall",
    "create_shadow",
    "defer_indexes",
    "drop_shadow",
    "live_schema",
    "shadow_schema",
    "swap_tables",
]


class ShadowError(RuntimeError):
    """The shadow tables do not match what the projection declares."""


def shadow_schema(projection: Projection) -> str:
    """The schema a rebuild of ``projection`` builds in."""
    return f"yanshen_rebuild_{projection.name}"


def _retired_schema(projection: Projection) -> str:
    return f"yanshen_retired_{projection.name}"


def drop_shadow(conn: psycopg.Connection[Any], projection: Projection) -> None:
    """Drop the shadow schema of ``projection`` and everything in it (if any)."""
    conn.execute(
        sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
            sql.Identifier(shadow_schema(projection))
        )
    )


def columns(conn: psycopg.Connection[Any], schema: str, table: str) -> list[str]:
    """Column names of ``schema.table`` in their order."""
    rows = conn.execute(
        "SELECT a.attname FROM pg_attribute a"
        " JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = %s AND c.relname = %s AND a.attnum > 0 AND NOT a.attisdropped"
        " ORDER BY a.attnum",
        (schema, table),
    ).fetchall()
    return [str(r[0]) for r in rows]


def live_schema(conn: psycopg.Connection[Any], table: str) -> str:
    """The schema the live ``table`` resolves to (``public`` when it does not exist yet)."""
    row = conn.execute(
        "SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE c.oid = to_regclass(%s)",
        (table,),
    ).fetchone()
    return str(row[0]) if row else "public"


def create_shadow(conn: psycopg.Connection[Any], projection: Projection) -> str:
    """Create an empty shadow of ``projection``'s tables; returns the shadow schema.

    ``conn`` is an owner connection in autocommit mode; the shadow is created in one
    transaction, replacing any left over from an interrupted rebuild.
    """
    projection.check_definition()
    schema = shadow_schema(projection)
    ident = sql.Identifier(schema)
    with conn.transaction():
        drop_shadow(conn, projection)
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(ident))
        conn.execute(
            sql.SQL("GRANT USAGE ON SCHEMA {} TO yanshen_worker, yanshen_app").format(ident)
        )
        conn.execute("SELECT set_config('search_path', %s, true)", (f"{schema}, public",))
        for statement in projection.schema_sql():
            conn.execute(statement.encode())
        conn.execute("SELECT set_config('search_path', '', true)")
        for table in projection.tables:
            names = columns(conn, schema, table)
            if not names:
                raise ShadowError(f"{projection.name}: its SQL does not create table {table!r}")
            if "tenant_id" not in names:
                raise ShadowError(f"{projection.name}: table {table!r} has no tenant_id column")
    return schema


_INDEX = """
SELECT pg_get_indexdef(i.oid), t.relname, k.conname, pg_get_constraintdef(k.oid)
FROM pg_class i
JOIN pg_namespace n ON n.oid = i.relnamespace
JOIN pg_index x ON x.indexrelid = i.oid
JOIN pg_class t ON t.oid = x.indrelid
LEFT JOIN pg_constraint k ON k.conindid = i.oid AND k.contype IN ('p', 'u')
WHERE n.nspname = %s AND i.relname = %s AND i.relkind = 'i'
"""


def defer_indexes(conn: psycopg.Connection[Any], projection: Projection) -> list[str]:
    """Drop the projection's reader indexes from its shadow; returns the statements that
    build them again (a primary key or unique constraint is dropped and added back)."""
    schema = shadow_schema(projection)
    definitions = []
    for index in projection.reader_indexes:
        row = conn.execute(_INDEX, (schema, index)).fetchone()
        if row is None:
            raise ShadowError(f"{projection.name}: no index {index!r} in its tables")
        definition, table, constraint, constraint_definition = row
        if constraint is None:
            definitions.append(str(definition))
            conn.execute(
                sql.SQL("DROP INDEX {}.{}").format(sql.Identifier(schema), sql.Identifier(index))
            )
            continue
        qualified = sql.Identifier(schema, table)
        name = sql.Identifier(constraint)
        add = sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}").format(
            qualified, name, sql.SQL(constraint_definition)
        )
        definitions.append(add.as_string(conn))
        conn.execute(sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(qualified, name))
    return definitions


def swap_tables(conn: psycopg.Connection[Any], projection: Projection) -> None:
    """Inside the caller's transaction: move the live tables out and the shadow ones in,
    then drop the old tables and the shadow schema."""
    shadow = sql.Identifier(shadow_schema(projection))
    retired = sql.Identifier(_retired_schema(projection))
    conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(retired))
    conn.execute(sql.SQL("CREATE SCHEMA {}").format(retired))
    for table in projection.tables:
        live = sql.Identifier(live_schema(conn, table))
        name = sql.Identifier(table)
        exists = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (table,)).fetchone()
        if exists and exists[0]:
            conn.execute(sql.SQL("ALTER TABLE {}.{} SET SCHEMA {}").format(live, name, retired))
        conn.execute(sql.SQL("ALTER TABLE {}.{} SET SCHEMA {}").format(shadow, name, live))
    conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(retired))
    conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(shadow))


def copy_hall(conn: psycopg.Connection[Any], projection: Projection, tenant_id: str) -> None:
    """Inside the caller's transaction: replace one hall's live rows with the shadow's."""
    shadow = sql.Identifier(shadow_schema(projection))
    for table in projection.tables:
        live = sql.Identifier(live_schema(conn, table))
        name = sql.Identifier(table)
        names = sql.SQL(", ").join(
            sql.Identifier(c) for c in columns(conn, shadow_schema(projection), table)
        )
        conn.execute(
            sql.SQL("DELETE FROM {}.{} WHERE tenant_id = %s").format(live, name), (tenant_id,)
        )
        conn.execute(
            sql.SQL("INSERT INTO {}.{} ({}) SELECT {} FROM {}.{} WHERE tenant_id = %s").format(
                live, name, names, names, shadow, name
            ),
            (tenant_id,),
        )
