"""Projection "audit_trail": every staff and system action of a hall as one row.

Generic over event types: the public contracts (``contracts.EVENT_TYPES``) give each stored
topic its event type name and personal fields; every event of a published type becomes a
row with its ``actor``, type, version (the one it was stored under), aggregate, time and log
position. Events without a public contract are not the platform's actions and are left out.

The record is the aggregate, with a human reference where its events give one:

- a queue day (first event with ``queue_code`` and ``service_day``) is ``ZH 2026-03-02``,
  and its events about one ticket add the ticket: ``ZH 2026-03-02 A003`` (the event's
  ``display_number``, or the day's ``prefix`` and the event's ``number``);
- a record whose first event has a ``code`` (items, queues, windows, places) or a
  ``badge_number`` (staff) is that code or badge.

Nothing else of an event is read, and never a personal field (the contract's
``x-personal-fields``), so personal data never reaches the trail and an erasure changes
nothing here. Like the platform activity projection, each batch is one statement over the
batch's range of the log (the new records, then the rows), run by the database: no event is
decoded in Python, and each event's state is parsed once.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from contracts import EVENT_TYPES
from projections.runtime import Batch, Projection

__all__ = ["AuditTrailProjection"]


@cache
def published_types() -> dict[str, dict[str, Any]]:
    """``{stored topic: {"type": name, "personal": [fields]}}`` of every published type."""
    found: dict[str, dict[str, Any]] = {}
    for event_type in EVENT_TYPES:
        entry = found.setdefault(event_type.topic, {"type": event_type.name, "personal": []})
        entry["personal"] = sorted({*entry["personal"], *event_type.personal_fields})
    return found


def _public(field: str) -> str:
    """SQL: the event's text field ``field`` (null when empty, absent or personal)."""
    return f"CASE WHEN NOT (m.meta->'personal' ? '{field}') THEN NULLIF(ev.s->>'{field}', '') END"


_EVENTS = "FROM ev JOIN jsonb_each(%(types)s) AS m (topic, meta) ON m.topic = ev.topic"
_QUEUE_DAY = f"{_public('queue_code')} || ' ' || {_public('service_day')}"
_TICKET = f"COALESCE({_public('display_number')}, r.prefix || lpad({_public('number')}, 3, '0'))"
_BATCH = f"""
WITH ev AS MATERIALIZED (  -- each event's state parsed once
    SELECT e.position, e.originator_id, e.originator_version, e.topic,
           convert_from(e.state, 'UTF8')::jsonb AS s
    FROM events e
    WHERE e.tenant_id = %(t)s AND e.position > %(after)s AND e.position <= %(upto)s
),
new_records AS (  -- records first seen in the batch (their first event)
    INSERT INTO audit_trail_records (tenant_id, aggregate_id, reference, prefix)
    SELECT %(t)s, originator_id, reference, prefix FROM (
        SELECT ev.originator_id,
               COALESCE({_QUEUE_DAY}, {_public("code")}, {_public("badge_number")}) AS reference,
               CASE WHEN {_QUEUE_DAY} IS NOT NULL THEN {_public("prefix")} END AS prefix
        {_EVENTS}
        WHERE ev.originator_version = 1
    ) firsts
    WHERE reference IS NOT NULL
    ON CONFLICT (tenant_id, aggregate_id) DO NOTHING
    RETURNING aggregate_id, reference, prefix
),
r AS (  -- the statement's snapshot has the records of earlier batches, not the new ones
    SELECT aggregate_id, reference, prefix FROM new_records
    UNION ALL
    SELECT aggregate_id, reference, prefix FROM audit_trail_records WHERE tenant_id = %(t)s
)
INSERT INTO audit_trail (tenant_id, position, occurred_at, actor, event_type, event_version,
                         aggregate_id, aggregate_version, reference)
SELECT %(t)s, ev.position, (ev.s->'timestamp'->>'_data_')::timestamptz,
       COALESCE(ev.s->>'actor', ''), m.meta->>'type',
       COALESCE((ev.s->>'class_version')::integer, 1), ev.originator_id, ev.originator_version,
       NULLIF(concat_ws(' ', r.reference, {_TICKET}), '')
{_EVENTS}
LEFT JOIN r ON r.aggregate_id = ev.originator_id
"""


class AuditTrailProjection(Projection):
    """Keeps ``audit_trail`` (and the records' references) in step with every hall's log."""

    name = "audit_trail"
    tables = ("audit_trail", "audit_trail_records")
    reader_indexes = (
        "audit_trail_pkey",  # nothing looks rows up by it while they are written
        "audit_trail_actor",
        "audit_trail_record",
        "audit_trail_reference",
        "audit_trail_time",
    )

    def topics(self) -> frozenset[str]:
        return frozenset()  # read nothing into Python: the database does the batch

    def apply_batch(self, conn: psycopg.Connection[Any], batch: Batch) -> None:
        params = {
            "t": batch.tenant_id,
            "after": batch.after,
            "upto": batch.upto,
            "types": Jsonb(published_types()),
        }
        conn.execute(_BATCH, params, prepare=True)
