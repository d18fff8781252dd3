"""SQL statements of the tenant-scoped recorders (one place, so they can be read together)."""

from __future__ import annotations

__all__ = [
    "APPEND_EVENTS",
    "ENSURE_HEAD",
    "INSERT_SNAPSHOTS",
    "INSERT_TRACKING",
    "MAX_NOTIFICATION_ID",
    "MAX_TRACKING_ID",
    "SELECT_EVENTS",
    "SELECT_SNAPSHOTS",
    "SET_TENANT",
]

SET_TENANT = "SELECT set_config('yanshen.tenant_id', %s, true)"

ENSURE_HEAD = "INSERT INTO tenant_heads (tenant_id) VALUES (%s) ON CONFLICT DO NOTHING"

# One statement, one round trip per commit: lock the hall's head row (writers of one hall
# queue here, other halls never do), number the new events after it, chain their hashes with
# sha256(), insert them, move the head, and NOTIFY '<tenant>:<head position>' (sent on
# commit). The head row is locked with FOR NO KEY UPDATE and then updated once: a row can be
# modified only once per statement, and the new last_hash is only known after chaining.
APPEND_EVENTS = """
WITH RECURSIVE
head AS (
    SELECT position, last_hash FROM tenant_heads
    WHERE tenant_id = %(tenant)s
    FOR NO KEY UPDATE
),
input AS (
    SELECT u.ord, u.originator_id, u.originator_version, u.topic, u.state
    FROM unnest(%(ids)s::text[], %(versions)s::int8[], %(topics)s::text[], %(states)s::bytea[])
        WITH ORDINALITY AS u(originator_id, originator_version, topic, state, ord)
),
chain AS (
    SELECT i.ord, h.position + 1 AS position, i.originator_id, i.originator_version,
           i.topic, i.state, h.last_hash AS prev_hash,
           sha256(h.last_hash || yanshen_event_bytes(%(tenant)s, h.position + 1,
                  i.originator_id, i.originator_version, i.topic, i.state)) AS hash
    FROM head h JOIN input i ON i.ord = 1
  UNION ALL
    SELECT i.ord, c.position + 1, i.originator_id, i.originator_version,
           i.topic, i.state, c.hash,
           sha256(c.hash || yanshen_event_bytes(%(tenant)s, c.position + 1,
                  i.originator_id, i.originator_version, i.topic, i.state))
    FROM chain c JOIN input i ON i.ord = c.ord + 1
),
inserted AS (
    INSERT INTO events (tenant_id, position, originator_id, originator_version, topic, state,
                        prev_hash, hash)
    SELECT %(tenant)s, position, originator_id, originator_version, topic, state,
           prev_hash, hash
    FROM chain
    RETURNING position
),
moved AS (
    UPDATE tenant_heads t
    SET position = last.position, last_hash = last.hash, updated_at = now()
    FROM (SELECT position, hash FROM chain ORDER BY ord DESC LIMIT 1) AS last
    WHERE t.tenant_id = %(tenant)s
    RETURNING pg_notify('yanshen_events', t.tenant_id || ':' || t.position) AS notified
)
SELECT i.position FROM inserted i CROSS JOIN moved ORDER BY i.position
"""

INSERT_SNAPSHOTS = """
INSERT INTO snapshots (tenant_id, originator_id, originator_version, topic, state)
SELECT %(tenant)s, u.originator_id, u.originator_version, u.topic, u.state
FROM unnest(%(ids)s::text[], %(versions)s::int8[], %(topics)s::text[], %(states)s::bytea[])
    AS u(originator_id, originator_version, topic, state)
"""

SELECT_EVENTS = (
    "SELECT originator_id, originator_version, topic, state FROM {table} "
    "WHERE tenant_id = %s AND originator_id = %s"
)
SELECT_SNAPSHOTS = SELECT_EVENTS

MAX_NOTIFICATION_ID = "SELECT position FROM tenant_heads WHERE tenant_id = %s"

# Single-row tracking like the library's: a position only moves forward, else the statement
# fails as a conflict (so it can be pipelined before the events of a process recorder).
INSERT_TRACKING = """
WITH moved AS (
    INSERT INTO tracking AS t (tenant_id, application_name, notification_id)
    VALUES (%(tenant)s, %(name)s, %(id)s)
    ON CONFLICT (tenant_id, application_name) DO UPDATE
    SET notification_id = EXCLUDED.notification_id
    WHERE t.notification_id < EXCLUDED.notification_id
    RETURNING notification_id
)
SELECT COALESCE(
    (SELECT notification_id FROM moved),
    yanshen_raise_conflict('tracking position ' || %(id)s::text || ' of '
                           || %(name)s || ' does not move forward')
)
"""

MAX_TRACKING_ID = (
    "SELECT notification_id FROM tracking WHERE tenant_id = %s AND application_name = %s"
)
