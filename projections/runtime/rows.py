"""Rows a batch inserts, kept in memory until the batch ends: one INSERT per new record.

In a busy hall (and in a rebuild's large batches) a record is often created and then changed
by its next events within one batch: an evaluation is invited and rated, a rectification
opened, verified and put on the ledger. Written event by event that is an ``INSERT`` and one
``UPDATE`` per later event; with :class:`BatchRows` the handlers' changes to a row inserted
in the same batch are applied to it in memory, and the row is written once, at the end
(one statement per table). Changes to rows of earlier batches are ``UPDATE`` statements as before,
run at once, in the events' order.

Only for tables whose handlers find rows by primary key and set plain values; a change
that needs SQL (an expression of the row's own columns) goes through :meth:`execute`, which
writes the pending row first. The rows are the ones event-by-event statements give: columns
an insert does not name are ``NULL`` (the tables have no defaults).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, cast

import msgspec
import psycopg
from psycopg.abc import Params, QueryNoTemplate
from psycopg.types.json import Jsonb

from projections.runtime.batch import Batch
from projections.runtime.projection import Projection

__all__ = ["BatchRows", "BatchRowsProjection", "RowTable", "json_array", "update_record"]


def _json_value(value: Any) -> Any:
    if isinstance(value, Jsonb):
        return value.obj  # a jsonb column's value: the document itself
    raise TypeError(f"no JSON for {type(value).__name__}")


_JSON = msgspec.json.Encoder(enc_hook=_json_value)


def json_array(values: Sequence[Any]) -> str:
    """``values`` (rows as dicts, or plain values) as one JSON array, encoded in C: the
    parameter of a statement that reads many rows at once (``json_populate_recordset``,
    ``json_to_recordset``). A :class:`~psycopg.types.json.Jsonb` value is its document."""
    return _JSON.encode(values).decode()


@dataclass(frozen=True, eq=False)  # hashed per row written: by identity, not 30 fields
class RowTable:
    """A table whose new rows :class:`BatchRows` keeps until the end of the batch."""

    name: str
    key: tuple[str, ...]
    """The columns that find a row: the primary key, or another unique key the events name."""
    columns: tuple[str, ...]
    """Every column an insert may set (the key included); the others stay ``NULL``."""

    @cached_property
    def insert_sql(self) -> str:
        names = ", ".join(self.columns)
        values = ", ".join(["%s"] * len(self.columns))
        return f"INSERT INTO {self.name} ({names}) VALUES ({values})"

    @cached_property
    def insert_json_sql(self) -> str:
        """Insert the rows of a JSON array of objects (column → value; absent: ``NULL``),
        each value read as its column's type. The array is ``json``, not ``jsonb``: the
        server reads it as it goes instead of first building a document of it (a sixth
        less of its time for the evaluation ratings' rows; the rows are the same)."""
        names = ", ".join(self.columns)
        return (
            f"INSERT INTO {self.name} ({names}) SELECT {names}"
            f" FROM json_populate_recordset(NULL::{self.name}, %s::json)"
        )

    def update_sql(self, columns: Sequence[str]) -> str:
        sets = ", ".join(f"{c} = %s" for c in columns)
        where = " AND ".join(f"{c} = %s" for c in self.key)
        return f"UPDATE {self.name} SET {sets} WHERE {where}"


class BatchRows:
    """The connection handlers write with, plus the batch's pending new rows.

    Use :meth:`of` in handlers: inside a projection's ``apply_batch`` that wraps the batch in
    a :class:`BatchRows` (and calls :meth:`flush` at its end) rows wait for the batch's end;
    with a plain connection (one event applied alone) they are written at once.
    """

    def __init__(self, conn: psycopg.Connection[Any], *, defer: bool = True) -> None:
        self.conn = conn
        self.defer = defer
        self._pending: dict[RowTable, dict[tuple[Any, ...], dict[str, Any]]] = {}

    @classmethod
    def of(cls, conn: Any) -> BatchRows:
        """``conn`` itself when it is one, else a :class:`BatchRows` that defers nothing."""
        return conn if isinstance(conn, BatchRows) else cls(conn, defer=False)

    def insert(self, table: RowTable, row: Mapping[str, Any], *, owned: bool = False) -> None:
        """Insert ``row`` (column → value); written when the batch ends. ``owned``: the
        caller made ``row`` for this insert and no longer uses it (it is kept, not copied)."""
        if not self.defer:
            self.conn.execute(table.insert_sql, [row.get(c) for c in table.columns], prepare=True)
            return
        key = tuple([row[c] for c in table.key])
        pending = self._pending.get(table)
        if pending is None:
            pending = self._pending[table] = {}
        elif key in pending:  # never two inserts of one key: let the database refuse it
            self._write(table, [pending.pop(key)])
        pending[key] = row if owned and type(row) is dict else dict(row)

    def update(self, table: RowTable, key: Sequence[Any], sets: Mapping[str, Any]) -> None:
        """``UPDATE table SET sets WHERE key``: in memory when the row is pending."""
        row = self._pending.get(table, {}).get(tuple(key))
        if row is not None:
            row.update(sets)
            return
        columns = list(sets)
        params = [*(sets[c] for c in columns), *key]
        self.conn.execute(table.update_sql(columns), params, prepare=True)

    def execute(
        self,
        table: RowTable,
        key: Sequence[Any],
        query: QueryNoTemplate,
        params: Params | None = None,
    ) -> None:
        """Run ``query`` about the row of ``key`` (written first when pending)."""
        row = self._pending.get(table, {}).pop(tuple(key), None)
        if row is not None:
            self._write(table, [row])
        self.conn.execute(query, params, prepare=True)

    def flush(self) -> None:
        """Write the pending rows: one statement per table."""
        for table, pending in self._pending.items():
            if pending:
                self._write(table, list(pending.values()))
        self._pending.clear()

    def _write(self, table: RowTable, rows: list[dict[str, Any]]) -> None:
        if len(rows) == 1:
            params = [rows[0].get(c) for c in table.columns]
            self.conn.execute(table.insert_sql, params, prepare=True)
            return
        # Many rows travel as one JSON array (encoded in C): a tenth of the client's cost of
        # one bound statement per row, and the same rows.
        self.conn.execute(table.insert_json_sql, [json_array(rows)], prepare=True)


def update_record(
    conn: Any, tenant_id: str, position: int, event: Any, *, table: RowTable, **sets: Any
) -> None:
    """Set columns of the row of ``event``'s record (keyed by hall and originator id), with the
    row's bookkeeping: ``updated_at``, ``version`` and ``position`` of the event."""
    sets.update(updated_at=event.timestamp, version=event.originator_version, position=position)
    BatchRows.of(conn).update(table, (tenant_id, event.originator_id), sets)


class BatchRowsProjection(Projection):
    """A projection whose handlers write through :class:`BatchRows`: a record created and
    changed within one batch is written once, at the batch's end."""

    def apply_batch(self, conn: psycopg.Connection[Any], batch: Batch) -> None:
        rows = BatchRows(conn)
        super().apply_batch(cast(psycopg.Connection[Any], rows), batch)
        rows.flush()
