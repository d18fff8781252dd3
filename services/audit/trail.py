"""The audit trail (操作日志): every staff and system action of a hall, searched in its log.

There is no copy: the trail is the hall's hash-chained log, read through the views
``audit_trail`` and ``audit_trail_records`` and the expression indexes of
``services/store/sql/0012_audit_trail_from_the_log.sql``. So it never lags (an action is
there the moment it commits), never drifts from the log and needs no rebuild.

Each event of a published type (``contracts.EVENT_TYPES``; others are not the platform's
actions) is an entry: its ``actor``, public type, the version it was stored under, its
record (aggregate) and the time the event carries, at its position in the log. The record's
human reference comes from the record's first event — a queue day ``ZH 2026-03-02``, a code
or a badge — and an event about one ticket adds it: ``ZH 2026-03-02 A003``. Nothing else of
an event is read, and none of those fields is personal in any contract (a unit test keeps it
so), so no personal data reaches the trail.

Entries come newest first, a page at a time: ``before`` is the position of the last entry
seen. Filters: the actor, the record (aggregate id, or a reference and everything under it,
word by word: ``ZH 2026-03-02`` finds the day and each of its tickets), the event type, and
a time range on the events' own times.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from contracts import EVENT_TYPES, event_type_for_topic
from services.store.pool import Pool
from services.store.statements import SET_TENANT, topics_array

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


_PUBLISHED = topics_array(sorted({t.topic for t in EVENT_TYPES}))

# Under X: from "X " (inclusive) to "X!" (exclusive) in byte order, "!" following " ": the
# text_pattern_ops operators, which the reference index serves with parameters too.
_CONDITIONS = {
    "before": "t.position < %(before)s",
    "actor": "t.actor = %(actor)s",
    "record": "t.record_id = %(record)s",
    "reference": (
        "t.record_id IN (SELECT r.record_id FROM audit_trail_records r"
        " WHERE r.reference = ANY(%(records)s)"
        " OR (r.reference ~>=~ %(under)s AND r.reference ~<~ %(beyond)s))"
        " AND starts_with(t.reference || ' ', %(under)s)"  # X, or under X: read once
    ),
    "types": "t.topic = ANY(%(types)s)",
    "from": "t.occurred_at >= %(from)s",
    "until": "t.occurred_at < %(until)s",
}

# The page's positions first, then what is shown of them: each entry's reference (its
# record's first event) is read for the returned entries only.
_SEARCH = """
WITH page AS MATERIALIZED (
    SELECT t.position FROM audit_trail t
    WHERE t.topic = ANY({published}){conditions}
    ORDER BY t.position DESC
    LIMIT %(limit)s
)
SELECT t.position, t.occurred_at, t.actor, t.topic, t.event_version, t.record_id,
       t.record_version, t.reference
FROM page JOIN audit_trail t ON t.position = page.position
ORDER BY t.position DESC
"""


def _words_before(reference: str) -> list[str]:
    """``reference`` and each start of it that ends before a space: the records it may be
    under (``ZH 2026-03-02 A003``: ``ZH``, ``ZH 2026-03-02`` and itself)."""
    return [reference[:i] for i, c in enumerate(reference) if c == " " and i] + [reference]


def search_statement(filters: AuditTrailFilter, before: int | None) -> tuple[str, dict[str, Any]]:
    """The search's SQL (only the given criteria: each plan fits its search) and parameters."""
    params: dict[str, Any] = {
        "before": before,
        "actor": filters.actor,
        "record": filters.record_id,
        "reference": filters.reference,
        "types": None,
        "from": filters.occurred_from,
        "until": filters.occurred_before,
    }
    if filters.reference is not None:
        params["records"] = _words_before(filters.reference)
        params["under"] = filters.reference + " "
        params["beyond"] = filters.reference + "!"
    if filters.event_type is not None:
        params["types"] = sorted({t.topic for t in EVENT_TYPES if t.name == filters.event_type})
    used = [sql for key, sql in _CONDITIONS.items() if params[key] is not None]
    conditions = "".join(f"\n      AND {c}" for c in used)
    return _SEARCH.format(published=_PUBLISHED, conditions=conditions), params


def audit_trail(
    pool: Pool,
    tenant_id: str,
    filters: AuditTrailFilter,
    *,
    before: int | None,
    limit: int,
) -> list[AuditTrailRow]:
    """Up to ``limit`` entries of the hall's trail matching ``filters``, newest first, below
    position ``before`` (``None``: from the newest)."""
    statement, params = search_statement(filters, before)
    if params["types"] == []:
        return []  # no published type of that name
    params["limit"] = limit
    # Not prepared: each search is planned with its values (a reference's range, a rare or a
    # busy actor), and a search is one statement, so planning it is a small part of it.
    with pool.connection() as conn, conn.transaction():
        conn.execute(SET_TENANT, (tenant_id,))
        rows = conn.execute(statement, params, prepare=False).fetchall()
    return [
        AuditTrailRow(
            position=int(row[0]),
            occurred_at=row[1],
            actor=row[2],
            event_type=event_type_for_topic(row[3]).name,
            event_version=int(row[4]),
            aggregate_id=row[5],
            aggregate_version=int(row[6]),
            reference=row[7],
        )
        for row in rows
    ]
