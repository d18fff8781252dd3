"""Projection "platform": events per hall and bounded context, and per hall and day.

It needs no event's content, only its topic, position and commit time, so it does not let
the runtime read or decode anything: each batch is one pair of ``INSERT … SELECT`` over the
batch's range of the log, run by the database inside the batch's transaction.
"""

from __future__ import annotations

from typing import Any

import psycopg

from projections.runtime import Batch, Projection

__all__ = ["PlatformProjection"]

_CONTEXT = (
    "COALESCE(NULLIF(split_part(split_part(e.topic, ':', 1), '.', 2), ''),"
    " split_part(e.topic, ':', 1))"
)
_RANGE = (
    "FROM events e WHERE e.tenant_id = %(t)s AND e.position > %(after)s AND e.position <= %(upto)s"
)

_ACTIVITY = f"""
INSERT INTO platform_activity AS a (tenant_id, context, events, first_position, last_position,
                                    first_event_at, last_event_at)
SELECT %(t)s, {_CONTEXT}, count(*), min(e.position), max(e.position),
       min(e.recorded_at), max(e.recorded_at)
{_RANGE}
GROUP BY 2
ON CONFLICT (tenant_id, context) DO UPDATE SET
    events = a.events + EXCLUDED.events,
    last_position = EXCLUDED.last_position,
    first_event_at = LEAST(a.first_event_at, EXCLUDED.first_event_at),
    last_event_at = GREATEST(a.last_event_at, EXCLUDED.last_event_at)
"""
_DAILY = f"""
INSERT INTO platform_daily_activity AS d (tenant_id, day, events)
SELECT %(t)s, (e.recorded_at AT TIME ZONE 'Asia/Shanghai')::date, count(*)
{_RANGE}
GROUP BY 2
ON CONFLICT (tenant_id, day) DO UPDATE SET events = d.events + EXCLUDED.events
"""


class PlatformProjection(Projection):
    """Keeps ``platform_activity`` and ``platform_daily_activity`` counting every event."""

    name = "platform"
    tables = ("platform_activity", "platform_daily_activity")

    def topics(self) -> frozenset[str]:
        return frozenset()  # every event counts, but none is read into Python

    def apply_batch(self, conn: psycopg.Connection[Any], batch: Batch) -> None:
        params = {"t": batch.tenant_id, "after": batch.after, "upto": batch.upto}
        conn.execute(_ACTIVITY, params, prepare=True)
        conn.execute(_DAILY, params, prepare=True)
