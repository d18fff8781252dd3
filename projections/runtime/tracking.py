"""Apply one batch of a hall's log and record the projection's position, in one transaction.

This is the exactly-once step: the position row of (consumer, hall) is locked ``FOR UPDATE``
first, the batch starts right after it, the projection writes its rows on the same
connection, and the new position is written before the caller commits. A crash anywhere
rolls all of it back; two workers on one hall serialise on the row lock.
"""

from __future__ import annotations

from typing import Any

import psycopg

from projections.runtime.batch import Batch
from projections.runtime.locks import hold_for_batch
from projections.runtime.projection import Projection

__all__ = ["apply_next_batch"]

_ENSURE = """
INSERT INTO consumer_positions (consumer, tenant_id, position) VALUES (%s, %s, 0)
ON CONFLICT DO NOTHING
"""
_LOCK = """
SELECT c.position, COALESCE(h.position, c.position)
FROM consumer_positions c LEFT JOIN tenant_heads h ON h.tenant_id = c.tenant_id
WHERE c.consumer = %s AND c.tenant_id = %s
FOR UPDATE OF c
"""
_RECORD = """
UPDATE consumer_positions SET position = %s, updated_at = now()
WHERE consumer = %s AND tenant_id = %s
"""


def apply_next_batch(
    conn: psycopg.Connection[Any],
    projection: Projection,
    *,
    consumer: str,
    tenant_id: str,
    limit: int,
    topics: frozenset[str] | None,
    live: bool = True,
    search_path: str | None = None,
) -> tuple[int, int]:
    """Apply up to ``limit`` positions of ``tenant_id`` after ``consumer``'s position.

    Runs inside the caller's transaction on ``conn`` (pipelined: statements whose results
    are not needed go to the server without waiting). ``live`` batches hold the projection's
    shared lock, so a rebuild can swap tables between two batches; a rebuild's batches set
    ``search_path`` so that the projection's unqualified table names resolve to the shadow
    tables. Returns ``(positions
    covered, position after the batch)``.
    """
    with conn.pipeline():
        if search_path is not None:
            conn.execute("SELECT set_config('search_path', %s, true)", (search_path,))
        if live:
            hold_for_batch(conn, projection.name)
        conn.execute(_ENSURE, (consumer, tenant_id), prepare=True)
        row = conn.execute(_LOCK, (consumer, tenant_id), prepare=True).fetchone()
        assert row is not None
        after, head = int(row[0]), int(row[1])
        upto = min(head, after + limit)
        if upto <= after:
            return 0, after
        projection.apply_batch(conn, Batch(conn, tenant_id, after, upto, topics))
        conn.execute(_RECORD, (upto, consumer, tenant_id), prepare=True)
    return upto - after, upto
