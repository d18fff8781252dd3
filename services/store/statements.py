"""SQL statements of the tenant-scoped recorders (one place, so they can be read together)."""

from __future__ import annotations

__all__ = [
    "APPEND_EVENTS",
    "APPEND_KEYED",
    "APPEND_ONE_EVENT",
    "HAS_LOG",
    "INSERT_SNAPSHOTS",
    "INSERT_TRACKING",
    "MAX_NOTIFICATION_ID",
    "MAX_TRACKING_ID",
    "ONLY_TO_EXISTING_LOG",
    "SELECT_EVENTS",
    "SELECT_EVENTS_OF_MANY",
    "SELECT_SNAPSHOTS",
    "SET_TENANT",
    "topics_array",
]

SET_TENANT = "SELECT set_config('yanshen.tenant_id', %s, true)"


def topics_array(topics: list[str]) -> str:
    """SQL text of a ``text[]`` constant of ``topics``, for a statement with ``%s``
    parameters: ``topic = ANY(<this>)`` is searched through a hash table, where a bound array
    (in a prepared statement's generic plan) is searched element by element. Topics name
    Python classes (no quote or percent sign in them), but each is quoted all the same.

    >>> topics_array(["a:A", "b'c%"])
    "ARRAY['a:A', 'b''c%%']::text[]"
    """
    quoted = ("'" + topic.replace("'", "''").replace("%", "%%") + "'" for topic in topics)
    return "ARRAY[" + ", ".join(quoted) + "]::text[]"


# One call, one round trip, one (implicit) transaction per commit: see yanshen_append in
# sql/0003_append_function.sql (locks the hall's head row, numbers and hash-chains the events
# with sha256(), inserts them, moves the head, and records the optional tracking position).
APPEND_EVENTS = "SELECT yanshen_append(%s, %s, %s, %s, %s, %s, %s)"

# The same for one event: its values sent as scalars (cheap to adapt) and wrapped in arrays by
# the server.
APPEND_ONE_EVENT = (
    "SELECT yanshen_append(%s, ARRAY[%s::text], ARRAY[%s::int8], ARRAY[%s::text], "
    "ARRAY[%s::bytea], %s, %s)"
)

# The same for a request that runs under a caller's request key (services/store/request_key.py):
# scope, principal, key and attempt first, then yanshen_append's arguments; see
# yanshen_append_keyed in sql/0011_idempotency_attempts.sql (appends only for the attempt that
# holds the key's claim, and records the key in the append's transaction).
APPEND_KEYED = "SELECT yanshen_append_keyed(%s, %s, %s, %s::uuid, %s, %s, %s, %s, %s, %s, %s)"

# Appended to any statement above (with the hall as one more parameter, after
# SET_TENANT in the same transaction): the append runs once per head row of the hall, so for
# a hall without a log it does not run, nothing is created, and no position comes back.
# Head rows are never deleted, so the check cannot go stale before the append.
ONLY_TO_EXISTING_LOG = " FROM tenant_heads WHERE tenant_id = %s"

HAS_LOG = "SELECT 1 FROM tenant_heads WHERE tenant_id = %s"


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

# Several aggregates' events at once, each after its own version (services/store/read_ahead.py).
SELECT_EVENTS_OF_MANY = """
SELECT e.originator_id, e.originator_version, e.topic, e.state
FROM unnest(%s::text[], %s::int8[]) AS w(originator_id, after)
JOIN events e
    ON e.tenant_id = %s AND e.originator_id = w.originator_id AND e.originator_version > w.after
ORDER BY e.originator_id, e.originator_version
"""

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
