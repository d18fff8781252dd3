"""How a record's event changes its worklist row: the writes of cases, complaints and
rectifications, through the batch's :class:`~projections.runtime.BatchRows`.

Each of these records has one row, found by hall and record id. In a rebuild's large batches
(and in a busy hall) a record is often created and then changed by its next events within one
batch — a rectification opened, verified and put on the ledger: its row is then written once,
at the batch's end, with every change applied in memory. A change to a row of an earlier batch
is an ``UPDATE``, run at once, in the events' order. A change computed from the row's own
columns (a counter, a status kept aside) runs as SQL after the pending row is written
(:meth:`BatchRows.execute`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from projections.runtime import BatchRows, RowTable

__all__ = ["Write", "change", "change_in_sql", "cleared", "day", "moved"]

Write = Callable[[BatchRows, Any, str, int], None]
"""What one event type does to its record's row: ``write(rows, event, hall, position)``."""


def day(value: str) -> date:
    """A date the events carry as ISO text."""
    return date.fromisoformat(value)


def cleared(event: object) -> None:
    """The value of a column the event empties."""
    return None


def moved(event: Any, position: int) -> dict[str, Any]:
    """The record takes a new place on the worklist: ``since`` is this event's position and
    time (the worklist orders by it)."""
    return {"since_position": position, "since_at": event.timestamp}


def change(
    table: RowTable,
    status: str | None = None,
    *,
    since: bool = False,
    **values: Callable[[Any], object],
) -> Write:
    """Set plain values on the event's record's row: ``status`` (if given), the ``values``
    computed from the event, ``since`` (when the record moves on the worklist) and the
    ``position`` of the event."""

    def write(rows: BatchRows, event: Any, tenant_id: str, position: int) -> None:
        sets: dict[str, Any] = {} if status is None else {"status": status}
        sets.update((column, value(event)) for column, value in values.items())
        if since:
            sets.update(moved(event, position))
        sets["position"] = position
        rows.update(table, (tenant_id, event.originator_id), sets)

    return write


def change_in_sql(table: RowTable, sets: str, **params: Callable[[Any], object]) -> Write:
    """Set columns with SQL expressions of the row's own columns (``sets``, with named
    ``params`` computed from the event), and the event's ``position``: run after the row is
    written if it is still pending. The table's key is the hall and the record id."""
    hall, record = table.key
    sql = (
        f"UPDATE {table.name} SET {sets}, position = %(p)s"
        f" WHERE {hall} = %(t)s AND {record} = %(id)s"
    )

    def write(rows: BatchRows, event: Any, tenant_id: str, position: int) -> None:
        values = {name: get(event) for name, get in params.items()}
        values.update(t=tenant_id, id=event.originator_id, p=position)
        rows.execute(table, (tenant_id, event.originator_id), sql, values)

    return write
