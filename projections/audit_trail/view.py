"""Queries over the audit trail: the only way the gateway reads ``audit_trail``.

Rows come newest first (by position in the hall's log), a page at a time: ``before`` is the
position of the last row seen. Filters: the actor, the record (aggregate id, or a reference
and everything under it: ``ZH 2026-03-02`` finds the day and each of its tickets), the event
type, and a time range on the events' own times.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from psycopg.rows import class_row
from psycopg_pool import ConnectionPool

from projections.runtime.db import tenant_connection

__all__ = ["AuditTrailFilter", "AuditTrailRow", "audit_trail"]


@dataclass(frozen=True)
class AuditTrailRow:
    """One action: who, what, which record, when, where in the log."""

    position: int
    occurred_at: datetime
    actor: str
    event_type: str
    event_version: int
    aggregate_id: str
    aggregate_version: int
    reference: str | None


@dataclass(frozen=True)
class AuditTrailFilter:
    """What to search for; ``None`` leaves a criterion out."""

    actor: str | None = None
    record_id: str | None = None
    """The aggregate id of the record."""
    reference: str | None = None
    """A record's reference, or the start of one (word by word: ``ZH 2026-03-02``)."""
    event_type: str | None = None
    occurred_from: datetime | None = None
    """Inclusive."""
    occurred_before: datetime | None = None
    """Exclusive."""


def _like_prefix(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"{escaped} %"


_SEARCH = """
SELECT position, occurred_at, actor, event_type, event_version, aggregate_id,
       aggregate_version, reference
FROM audit_trail
WHERE tenant_id = %(t)s
  AND (%(before)s::bigint IS NULL OR position < %(before)s::bigint)
  AND (%(actor)s::text IS NULL OR actor = %(actor)s::text)
  AND (%(record)s::text IS NULL OR aggregate_id = %(record)s::text)
  AND (%(reference)s::text IS NULL OR reference = %(reference)s::text
       OR reference LIKE %(under)s::text)
  AND (%(type)s::text IS NULL OR event_type = %(type)s::text)
  AND (%(from)s::timestamptz IS NULL OR occurred_at >= %(from)s::timestamptz)
  AND (%(until)s::timestamptz IS NULL OR occurred_at < %(until)s::timestamptz)
ORDER BY position DESC
LIMIT %(limit)s
"""


def audit_trail(
    pool: ConnectionPool,
    tenant_id: str,
    filters: AuditTrailFilter,
    *,
    before: int | None,
    limit: int,
) -> list[AuditTrailRow]:
    """Up to ``limit`` rows of the hall's trail matching ``filters``, newest first, below
    position ``before`` (``None``: from the newest)."""
    params = {
        "t": tenant_id,
        "before": before,
        "actor": filters.actor,
        "record": filters.record_id,
        "reference": filters.reference,
        "under": _like_prefix(filters.reference) if filters.reference else None,
        "type": filters.event_type,
        "from": filters.occurred_from,
        "until": filters.occurred_before,
        "limit": limit,
    }
    with tenant_connection(pool, tenant_id) as conn:
        cur = conn.cursor(row_factory=class_row(AuditTrailRow))
        return cur.execute(_SEARCH, params).fetchall()
