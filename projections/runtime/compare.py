"""Row-by-row comparison of a projection's live tables with their rebuilt shadow."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql

from projections.runtime.projection import Projection
from projections.runtime.shadow import columns, live_schema, shadow_schema

__all__ = ["TableDifference", "compare_tables"]

_SAMPLES = 3


@dataclass(frozen=True)
class TableDifference:
    """How one live table differs from the same table rebuilt from position 0."""

    table: str
    only_live: int
    """Rows of the live table that the rebuild did not produce (e.g. double-applied)."""
    only_rebuilt: int
    """Rows the rebuild produced that the live table lacks (e.g. lost)."""
    samples: list[str] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        return self.only_live == 0 and self.only_rebuilt == 0


def _except(
    conn: psycopg.Connection[Any], first: sql.Composable, second: sql.Composable, halls: list[str]
) -> tuple[int, list[str]]:
    query = sql.SQL(
        "SELECT d::text FROM ({} WHERE tenant_id = ANY(%(h)s)"
        " EXCEPT ALL {} WHERE tenant_id = ANY(%(h)s)) d"
    ).format(first, second)
    rows = conn.execute(query, {"h": halls}).fetchall()
    return len(rows), [str(r[0]) for r in rows[:_SAMPLES]]


def compare_tables(
    conn: psycopg.Connection[Any], projection: Projection, halls: list[str]
) -> list[TableDifference]:
    """Compare every table of ``projection`` over ``halls``: live against shadow."""
    differences = []
    for table in projection.tables:
        names = columns(conn, shadow_schema(projection), table)
        select = sql.SQL("SELECT {} FROM ").format(
            sql.SQL(", ").join(sql.Identifier(c) for c in names)
        )
        live = select + sql.SQL("{}.{}").format(
            sql.Identifier(live_schema(conn, table)), sql.Identifier(table)
        )
        rebuilt = select + sql.SQL("{}.{}").format(
            sql.Identifier(shadow_schema(projection)), sql.Identifier(table)
        )
        only_live, live_samples = _except(conn, live, rebuilt, halls)
        only_rebuilt, rebuilt_samples = _except(conn, rebuilt, live, halls)
        samples = [f"live only: {s}" for s in live_samples]
        samples += [f"rebuilt only: {s}" for s in rebuilt_samples]
        differences.append(TableDifference(table, only_live, only_rebuilt, samples))
    return differences
