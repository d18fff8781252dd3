"""Events as SQL statements: how the queue board's handlers are written.

Each handled event type maps to a pure function returning the statements it runs. The
statements name their parameters; ``%(t)s`` (the hall), ``%(p)s`` (the event's position) and
``%(id)s`` (the aggregate id) are always given. Handlers never read results, so the runtime
pipelines a whole batch without a round trip per event.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import psycopg

__all__ = ["Effect", "Statement", "execute"]

Statement = tuple[str, Mapping[str, Any]]
"""An SQL statement and its named parameters."""
Effect = Callable[[Any], Sequence[Statement]]
"""What one event type does to the read model: the statements for an event."""


def execute(
    conn: psycopg.Connection[Any],
    statements: Sequence[Statement],
    *,
    tenant_id: str,
    position: int,
    originator_id: object,
) -> None:
    """Run ``statements`` with the hall, the position and the aggregate id added."""
    common = {"t": tenant_id, "p": position, "id": originator_id}
    for sql, params in statements:
        conn.execute(sql, {**common, **params}, prepare=True)
