"""Projection "platform": events per hall and bounded context, and per hall and day.

It needs no event's content, only its topic, position and commit time, so it does not let
the runtime read or decode anything: each batch is one statement over the batch's range of
the log, run by the database inside the batch's transaction. The range is read once and
counted per topic and day (a few dozen rows), and both tables are written from those: the
topics' contexts are worked out per topic, not per event. A day is a bin of 24 hours from a
Beijing midnight (``date_bin``, plain arithmetic on each commit time: China has kept UTC+8
without daylight saving since 1991), named by its date in Asia/Shanghai once per bin; a time
zone conversion per event cost half of the statement.
"""

from __future__ import annotations

from typing import Any

import psycopg

from projections.runtime import Batch, Projection

__all__ = ["PlatformProjection"]

_CONTEXT = (
    "COALESCE(NULLIF(split_part(split_part(g.topic, ':', 1), '.', 2), ''),"
    " split_part(g.topic, ':', 1))"
)
_BATCH = f"""
WITH g AS MATERIALIZED (  -- the range read once, a row per topic and day
    SELECT e.topic, date_bin('1 day', e.recorded_at, timestamptz '2000-01-01 00:00+08') AS day,
           count(*) AS events, min(e.position) AS first_position,
           max(e.position) AS last_position, min(e.recorded_at) AS first_event_at,
           max(e.recorded_at) AS last_event_at
    FROM events e
    WHERE e.tenant_id = %(t)s AND e.position > %(after)s AND e.position <= %(upto)s
    GROUP BY 1, 2
), daily AS (
    INSERT INTO platform_daily_activity AS d (tenant_id, day, events)
    SELECT %(t)s, (g.day AT TIME ZONE 'Asia/Shanghai')::date, sum(g.events) FROM g GROUP BY g.day
    ON CONFLICT (tenant_id, day) DO UPDATE SET events = d.events + EXCLUDED.events
)
INSERT INTO platform_activity AS a (tenant_id, context, events, first_position, last_position,
                                    first_event_at, last_event_at)
SELECT %(t)s, {_CONTEXT}, sum(g.events), min(g.first_position), max(g.last_position),
       min(g.first_event_at), max(g.last_event_at)
FROM g
GROUP BY 2
ON CONFLICT (tenant_id, context) DO UPDATE SET
    events = a.events + EXCLUDED.events,
    last_position = EXCLUDED.last_position,
    first_event_at = LEAST(a.first_event_at, EXCLUDED.first_event_at),
    last_event_at = GREATEST(a.last_event_at, EXCLUDED.last_event_at)
"""


class PlatformProjection(Projection):
    """Keeps ``platform_activity`` and ``platform_daily_activity`` counting every event."""

    name = "platform"
    tables = ("platform_activity", "platform_daily_activity")

    def topics(self) -> frozenset[str]:
        return frozenset()  # every event counts, but none is read into Python

    def apply_batch(self, conn: psycopg.Connection[Any], batch: Batch) -> None:
        params = {"t": batch.tenant_id, "after": batch.after, "upto": batch.upto}
        conn.execute(_BATCH, params, prepare=True)
