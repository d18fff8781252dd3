"""BatchRows: a record inserted in the batch is changed in memory and written once."""

from __future__ import annotations

import json
from typing import Any

from psycopg.types.json import Jsonb

from projections.runtime import BatchRows, RowTable

T = RowTable("things", key=("tenant_id", "id"), columns=("tenant_id", "id", "a", "b"))


class _Conn:
    def __init__(self) -> None:
        self.statements: list[tuple[str, Any]] = []

    def execute(self, query: str, params: Any = None, *, prepare: bool | None = None) -> None:
        self.statements.append((query, list(params or [])))

    def cursor(self) -> _Conn:
        return self

    def executemany(self, query: str, params: Any) -> None:
        self.statements += [(query, list(p)) for p in params]


def test_changes_of_a_new_row_are_folded_into_its_insert():
    conn = _Conn()
    rows = BatchRows(conn)  # type: ignore[arg-type]
    rows.insert(T, {"tenant_id": "h", "id": 1, "a": "x"})
    rows.update(T, ("h", 1), {"b": 2})
    rows.update(T, ("h", 9), {"a": "y"})  # a row of an earlier batch: at once
    assert conn.statements == [("UPDATE things SET a = %s WHERE tenant_id = %s AND id = %s",
                                ["y", "h", 9])]  # fmt: skip
    rows.flush()
    assert conn.statements[1:] == [
        ("INSERT INTO things (tenant_id, id, a, b) VALUES (%s, %s, %s, %s)", ["h", 1, "x", 2])
    ]


def test_sql_about_a_pending_row_writes_it_first():
    conn = _Conn()
    rows = BatchRows(conn)  # type: ignore[arg-type]
    rows.insert(T, {"tenant_id": "h", "id": 1})
    rows.execute(T, ("h", 1), "UPDATE things SET b = b + 1", ())
    rows.flush()
    assert [q.split()[0] for q, _ in conn.statements] == ["INSERT", "UPDATE"]
    assert conn.statements[0][1] == ["h", 1, None, None]


def test_a_plain_connection_writes_at_once():
    conn = _Conn()
    rows = BatchRows.of(conn)
    rows.insert(T, {"tenant_id": "h", "id": 1, "b": 3})
    assert conn.statements == [
        ("INSERT INTO things (tenant_id, id, a, b) VALUES (%s, %s, %s, %s)", ["h", 1, None, 3])
    ]
    assert BatchRows.of(rows) is rows


def test_many_new_rows_are_one_statement_with_their_json():
    conn = _Conn()
    rows = BatchRows(conn)  # type: ignore[arg-type]
    rows.insert(T, {"tenant_id": "h", "id": 1, "a": "大厅"})
    rows.insert(T, {"tenant_id": "h", "id": 2, "b": Jsonb(["x"])})
    rows.flush()
    [(query, params)] = conn.statements
    assert "json_populate_recordset(NULL::things, %s::json)" in query
    assert json.loads(params[0]) == [
        {"tenant_id": "h", "id": 1, "a": "大厅"},
        {"tenant_id": "h", "id": 2, "b": ["x"]},
    ]
