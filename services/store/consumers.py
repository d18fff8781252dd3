"""Positions of platform-wide consumers (projection runtime, Kafka relay) per hall."""

from __future__ import annotations

from typing import Any

import psycopg

from services.store.errors import translated_errors
from services.store.pool import Pool
from services.store.tenant import validate_tenant_id

__all__ = ["pending_tenants", "record_consumer_position"]

_RECORD = """
WITH moved AS (
    INSERT INTO consumer_positions AS c (consumer, tenant_id, position)
    VALUES (%(consumer)s, %(tenant)s, %(position)s)
    ON CONFLICT (consumer, tenant_id) DO UPDATE
    SET position = EXCLUDED.position, updated_at = now()
    WHERE c.position < EXCLUDED.position
    RETURNING position
)
SELECT COALESCE(
    (SELECT position FROM moved),
    yanshen_raise_conflict('position ' || %(position)s::text || ' of consumer '
                           || %(consumer)s || ' in hall ' || %(tenant)s
                           || ' does not move forward')
)
"""

_PENDING = """
SELECT h.tenant_id, h.position
FROM tenant_heads h
LEFT JOIN consumer_positions c ON c.consumer = %s AND c.tenant_id = h.tenant_id
WHERE h.position > COALESCE(c.position, 0)
ORDER BY h.tenant_id
"""


def record_consumer_position(
    conn: psycopg.Connection[Any], consumer: str, tenant_id: str, position: int
) -> None:
    """Record that ``consumer`` processed ``tenant_id`` up to ``position``.

    Run it inside the caller's own transaction on ``conn``, so the consumer's writes and its
    position commit together (exactly once). A position that does not move forward raises
    the library's ``IntegrityError`` (another worker got there first); roll back then.
    """
    validate_tenant_id(tenant_id)
    with translated_errors():
        conn.execute(_RECORD, {"consumer": consumer, "tenant": tenant_id, "position": position})


def pending_tenants(pool: Pool, consumer: str) -> list[tuple[str, int]]:
    """``(tenant, head position)`` of halls whose head is past ``consumer``'s position."""
    with translated_errors(), pool.connection() as conn:
        rows = conn.execute(_PENDING, (consumer,)).fetchall()
    return [(str(t), int(p)) for t, p in rows]
