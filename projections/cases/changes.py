"""How one case event changes the case register: a row update and a history row, in one
statement.

Handlers describe a change as column values (``Expr`` for SQL over the row's old values);
:func:`record_change` updates the case's row and appends the history row with the status
the update left, in one round trip.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

import psycopg
from psycopg.types.json import Jsonb

__all__ = ["Expr", "record_change"]


@dataclass(frozen=True)
class Expr:
    """An SQL expression over the row's values before the update (e.g. ``status``), with
    the parameters it names (``%(name)s``; names unique within one change)."""

    sql: str
    params: dict[str, Any] = field(default_factory=dict)


_CHANGE = """
WITH u AS (
    UPDATE case_register SET {sets}version = %(_version)s, updated_at = %(_at)s,
        position = %(_position)s
    WHERE tenant_id = %(_tenant)s AND case_id = %(_case)s
    RETURNING status
)
INSERT INTO case_history (tenant_id, case_id, version, event, status, actor, at, details,
                          position)
SELECT %(_tenant)s, %(_case)s, %(_version)s, %(_event)s, u.status, %(_actor)s, %(_at)s,
       %(_details)s, %(_position)s
FROM u
"""


def _value(value: Any) -> Any:
    return Jsonb(value) if isinstance(value, list | dict) else value


def record_change(
    conn: psycopg.Connection[Any],
    tenant_id: str,
    position: int,
    *,
    case_id: UUID,
    version: int,
    at: datetime,
    actor: str,
    event: str,
    changes: dict[str, Any],
    details: dict[str, Any],
) -> None:
    """Apply ``changes`` to the case's row and record the event ``event`` in its history.

    ``changes`` maps column names (constants of the projection, never input) to values or
    :class:`Expr`; ``details`` is the history row's non-personal summary of the event.
    """
    sets = "".join(
        f"{column} = {value.sql}, " if isinstance(value, Expr) else f"{column} = %({column})s, "
        for column, value in changes.items()
    )
    params: dict[str, Any] = {}
    for column, value in changes.items():
        if isinstance(value, Expr):
            params.update({k: _value(v) for k, v in value.params.items()})
        else:
            params[column] = _value(value)
    params.update(
        _version=version,
        _at=at,
        _position=position,
        _tenant=tenant_id,
        _case=case_id,
        _event=event,
        _actor=actor,
        _details=Jsonb(details),
    )
    conn.execute(_CHANGE.format(sets=sets), params, prepare=True)
