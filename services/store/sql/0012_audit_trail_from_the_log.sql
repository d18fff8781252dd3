-- The audit trail (操作日志) is the hall's log itself, searched (services/audit/trail.py,
-- docs/audit.md), instead of the read model "audit_trail" that copied one row per event.
--
-- What a search looks for is indexed on events, as expressions over the stored state: the
-- actor, the event's time, and the human reference of a record (on its first event only).
-- Every append pays for them (about two small JSON lookups and two index entries per event,
-- three for a record's first event); nothing is copied, a rebuild has nothing to do, and an
-- action is searchable the moment it commits.
--
-- The state is the library's JSON (UTF-8) of the event, parsed as json (faster than jsonb for
-- one lookup). An append must never fail on these indexes, so yanshen_event_json gives NULL
-- for a state that is not a JSON object (it does not start with "{": benchmarks append raw
-- bytes), and reads a \u0000 escape, which neither json lookups nor jsonb accept, as U+FFFD
-- (the recorder refuses U+0000 in any event it stores; a raw yanshen_append does not).
--
-- The indexed functions are IMMUTABLE (required of index expressions) although convert_from
-- and the timestamptz input are STABLE: the database encoding is UTF8 and the conversion names it explicitly, and the
-- time is read the same under any TimeZone or DateStyle (below). The bodies must never change
-- in place: a new definition is a new function and new indexes.

-- The state as json (NULL if it is not a JSON object); its \u0000 escapes as \ufffd (an
-- escape after an even number of backslashes: "\\u0000" is a backslash and "u0000").
--
-- The functions an index computes on every append are PL/pgSQL: a LANGUAGE sql function
-- that cannot be inlined (convert_from is STABLE, so none of these can) runs through the
-- SQL-function executor, about twice the cost per call (actor 5.0 → 2.5 µs, time 6.0 → 3.5,
-- a record's reference 8.1 → 3.6, measured on the benchmark's events).
CREATE FUNCTION yanshen_event_json(state bytea) RETURNS json
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
    IF substring(state FROM 1 FOR 1) <> '\x7b'::bytea THEN
        RETURN NULL;
    END IF;
    IF position('\x5c7530303030'::bytea IN state) = 0 THEN  -- no "\u0000" at all
        RETURN convert_from(state, 'UTF8')::json;
    END IF;
    RETURN regexp_replace(convert_from(state, 'UTF8'),
                          '(?<!\\)((?:\\\\)*)\\u0000', '\1\\ufffd', 'g')::json;
END
$$;

-- The functions below call yanshen_event_json (and each other) by schema-qualified name:
-- index expressions are evaluated with search_path = pg_catalog, pg_temp (PostgreSQL 17 and
-- later), where an unqualified name of this schema is not found.
DO $do$
DECLARE
    here text := quote_ident(current_schema());
BEGIN
    -- Who acted: the event's "actor" ('' when it has none).
    EXECUTE format($sql$
CREATE FUNCTION yanshen_event_actor(state bytea) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $f$
BEGIN
    RETURN COALESCE(%1$s.yanshen_event_json(state) ->> 'actor', '');
END
$f$
$sql$, here);

    -- When it happened: the event's own "timestamp" (the library's {"_type_": "datetime_iso",
    -- "_data_": ISO 8601}). The library and the platform's clocks write aware times, so the text
    -- carries its offset and reads the same in any session; a time without one (none is stored)
    -- would be read as UTC, never in the session's zone, so that the value stays immutable.
    EXECUTE format($sql$
CREATE FUNCTION yanshen_event_time(state bytea) RETURNS timestamptz
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $f$
DECLARE
    t text := %1$s.yanshen_event_json(state) #>> '{timestamp,_data_}';
BEGIN
    -- An offset follows the time of day ("2026-03-02T09:15:00+08:00", "…Z"); without one
    -- (none is stored) the time is read as UTC, never in the session's zone.
    IF t IS NOT NULL AND right(t, 1) <> 'Z'
       AND strpos(substr(t, 11), '+') = 0 AND strpos(substr(t, 11), '-') = 0 THEN
        t := t || '+00:00';
    END IF;
    RETURN t::timestamptz;
END
$f$
$sql$, here);

    -- The version of the event's class it was stored under ("class_version", 1 when absent).
    EXECUTE format($sql$
CREATE FUNCTION yanshen_event_version(state bytea) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $f$
    SELECT COALESCE((%1$s.yanshen_event_json(state) ->> 'class_version')::integer, 1)
$f$
$sql$, here);

    -- A record's reference, from its first event: a queue day "ZH 2026-03-02" (queue_code and
    -- service_day), else a code (items, queues, windows, places), else a badge (staff); empty
    -- strings count as absent. Only these fields are read, and no contract marks any of them
    -- personal (tests/unit/audit/test_trail_fields.py), so no personal data is indexed.
    EXECUTE format($sql$
CREATE FUNCTION yanshen_record_reference(state bytea) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $f$
DECLARE
    s jsonb := %1$s.yanshen_event_json(state)::jsonb;  -- parsed once for the four lookups
BEGIN
    RETURN COALESCE(NULLIF(s ->> 'queue_code', '') || ' ' || NULLIF(s ->> 'service_day', ''),
                    NULLIF(s ->> 'code', ''), NULLIF(s ->> 'badge_number', ''));
END
$f$
$sql$, here);

    -- An event's reference: its record's (from the record's first event, first_state) and the
    -- ticket the event is about, if any: its "display_number", else the queue day's "prefix" and
    -- its "number" in three digits or more (as the queue shows it: A007, A1000).
    -- "ZH 2026-03-02 A003"; NULL when neither is known. Read for the rows a search returns.
    EXECUTE format($sql$
CREATE FUNCTION yanshen_event_reference(first_state bytea, state bytea) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $f$
    SELECT NULLIF(concat_ws(' ', %1$s.yanshen_record_reference(first_state),
                            COALESCE(NULLIF(s ->> 'display_number', ''),
                                     prefix || lpad(n, greatest(length(n), 3), '0'))), '')
    FROM (SELECT %1$s.yanshen_event_json(state), %1$s.yanshen_event_json(first_state)
          OFFSET 0) AS r (s, f),
         LATERAL (SELECT NULLIF(s ->> 'number', '') AS n,
                         CASE WHEN NULLIF(f ->> 'queue_code', '') IS NOT NULL
                               AND NULLIF(f ->> 'service_day', '') IS NOT NULL
                              THEN NULLIF(f ->> 'prefix', '') END AS prefix) AS t
$f$
$sql$, here);
END
$do$;

GRANT EXECUTE ON FUNCTION
    yanshen_event_json(bytea),
    yanshen_event_actor(bytea),
    yanshen_event_time(bytea),
    yanshen_event_version(bytea),
    yanshen_record_reference(bytea),
    yanshen_event_reference(bytea, bytea)
    TO yanshen_app, yanshen_worker;

-- Newest first by actor; a time range; a record by its reference, or under it (prefix search
-- with text_pattern_ops: byte order, whatever the collation).
CREATE INDEX events_actor ON events (tenant_id, yanshen_event_actor(state), position);
CREATE INDEX events_time ON events (tenant_id, yanshen_event_time(state));
CREATE INDEX events_record_reference
    ON events (tenant_id, yanshen_record_reference(state) text_pattern_ops)
    WHERE originator_version = 1;

-- The read model it replaces, on databases that had it: its tables, the positions, leases and
-- recorded version of its consumer, the schemas a rebuild of it may have left, and its
-- migration's record (the file is gone). Store files run before the projections' (a fresh
-- database has none of these yet: projection_versions comes later, from runtime/0003).
-- The owner reads every hall's rows: row-level security is lifted for that, inside this
-- transaction (migrate applies its files in one).
DROP TABLE IF EXISTS audit_trail, audit_trail_records;
DROP SCHEMA IF EXISTS yanshen_rebuild_audit_trail CASCADE;
DROP SCHEMA IF EXISTS yanshen_retired_audit_trail CASCADE;
ALTER TABLE consumer_positions NO FORCE ROW LEVEL SECURITY;
ALTER TABLE consumer_leases NO FORCE ROW LEVEL SECURITY;
DELETE FROM consumer_positions
WHERE consumer = 'projection:audit_trail' OR consumer LIKE 'projection:audit\_trail@%';
DELETE FROM consumer_leases
WHERE consumer = 'projection:audit_trail' OR consumer LIKE 'projection:audit\_trail@%';
DELETE FROM consumer_workers
WHERE consumer = 'projection:audit_trail' OR consumer LIKE 'projection:audit\_trail@%';
ALTER TABLE consumer_positions FORCE ROW LEVEL SECURITY;
ALTER TABLE consumer_leases FORCE ROW LEVEL SECURITY;
DO $$
BEGIN
    IF to_regclass('projection_versions') IS NOT NULL THEN
        DELETE FROM projection_versions WHERE projection = 'audit_trail';
    END IF;
END
$$;
DELETE FROM schema_migrations WHERE source = 'projections.audit_trail';

-- The hall's trail as the gateway searches it, in two views over events: each event's
-- actor, time, type and record, and each record's reference (its first event).
--
-- Why views, owned like events, and not queries on events under its row-level security:
-- with a policy on the table, PostgreSQL evaluates the caller's conditions that are not
-- LEAKPROOF (these functions parse the state, so they are not) only after the policy, never
-- as index conditions, so no search could use the indexes above. A view reads events as its
-- owner, and confines itself to the transaction's hall with the very setting the policy uses
-- (yanshen.tenant_id: none set, no rows). It shows nothing of an event's payload but what
-- the trail shows, and yanshen_app may only read it.
CREATE VIEW audit_trail AS
SELECT e.position,
       e.topic,
       e.originator_id AS record_id,
       e.originator_version AS record_version,
       yanshen_event_actor(e.state) AS actor,
       yanshen_event_time(e.state) AS occurred_at,
       yanshen_event_version(e.state) AS event_version,
       yanshen_event_reference(
           (SELECT f.state FROM events f
            WHERE f.tenant_id = e.tenant_id AND f.originator_id = e.originator_id
              AND f.originator_version = 1),
           e.state) AS reference
FROM events e
WHERE e.tenant_id = current_setting('yanshen.tenant_id', true);

CREATE VIEW audit_trail_records AS
SELECT e.originator_id AS record_id, yanshen_record_reference(e.state) AS reference
FROM events e
WHERE e.tenant_id = current_setting('yanshen.tenant_id', true) AND e.originator_version = 1;

GRANT SELECT ON audit_trail, audit_trail_records TO yanshen_app;
