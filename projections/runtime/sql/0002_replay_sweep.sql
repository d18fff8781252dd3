-- Sweeping audit replay schemas (`yanshen replay`, services/audit/replay.py): yanshen_replay_<hall>
-- holds copies of the hall's read models, personal data included, which erasures after the
-- replay read them never reach. Dropped here:
--
-- * the schema of a replay that no longer runs (killed with kill -9, its machine lost, its
--   clean-up failed): a replay holds the session advisory lock (1498415107 = 0x59500003,
--   hashtext(<schema name>)) from before it creates its schema until it has dropped or kept
--   it, so a schema whose lock is free and that is not marked kept is stale;
-- * a kept schema (`--keep`) once it expires, or once the count of destroyed keys of its hall
--   (subject_keys.erased_at) differs from the one the replay noted before it read any event:
--   an erasure committed after that may have left plaintext in it. A schema's mark is its
--   comment, JSON written by the replay: {"tenant": …, "erased_keys": n, "kept_until": …};
--   kept_until is only set once a kept replay has finished. A schema without a readable mark
--   (one left before this migration) is not kept.
--
-- The lock is only tried, never waited for (a running replay: 'running', untouched); taken
-- for the transaction, so a replay that starts meanwhile waits for the drop to commit. The drop
-- waits at most lock_timeout for the schema's tables (the last batch of a killed replay):
-- then 'busy', left to the next sweep.
--
-- SECURITY DEFINER: projection workers (yanshen_worker) sweep at their start and every minute;
-- only the owner may drop the schemas. It drops nothing but yanshen_replay_* schemas.
CREATE OR REPLACE FUNCTION yanshen_sweep_replays()
RETURNS TABLE (schema_name text, tenant_id text, outcome text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET lock_timeout = '200ms'
SET client_min_messages = warning
AS $$
DECLARE
    found record;
    mark jsonb;
    kept_until timestamptz;
    erased bigint;
BEGIN
    FOR found IN
        SELECT n.nspname::text AS nspname, pg_catalog.obj_description(n.oid, 'pg_namespace') AS note
        FROM pg_catalog.pg_namespace n
        WHERE n.nspname LIKE 'yanshen\_replay\_%'
        ORDER BY 1
    LOOP
        schema_name := found.nspname;
        BEGIN
            mark := found.note::jsonb;
        EXCEPTION WHEN others THEN
            mark := NULL;
        END;
        IF jsonb_typeof(mark) IS DISTINCT FROM 'object' THEN
            mark := NULL;
        END IF;
        tenant_id := mark ->> 'tenant';
        IF NOT pg_try_advisory_xact_lock(1498415107, hashtext(found.nspname)) THEN
            outcome := 'running';
            RETURN NEXT;
            CONTINUE;
        END IF;
        outcome := 'removed';
        BEGIN
            kept_until := (mark ->> 'kept_until')::timestamptz;
        EXCEPTION WHEN others THEN
            kept_until := NULL;
        END;
        IF kept_until IS NOT NULL AND kept_until > now() AND tenant_id IS NOT NULL THEN
            SELECT count(*) INTO erased FROM subject_keys k
            WHERE k.tenant_id = mark ->> 'tenant' AND k.erased_at IS NOT NULL;
            IF (mark ->> 'erased_keys') = erased::text THEN
                outcome := 'kept';
            END IF;
        END IF;
        IF outcome = 'removed' THEN
            BEGIN
                EXECUTE format('DROP SCHEMA IF EXISTS %I CASCADE', found.nspname);
            EXCEPTION WHEN lock_not_available THEN
                outcome := 'busy';
            END;
        END IF;
        RETURN NEXT;
    END LOOP;
END
$$;

-- Pin the definer's search_path to the schema the store lives in (then pg_temp, last).
DO $$
BEGIN
    EXECUTE format(
        'ALTER FUNCTION yanshen_sweep_replays() SET search_path = %I, pg_temp', current_schema());
END
$$;

REVOKE ALL ON FUNCTION yanshen_sweep_replays() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION yanshen_sweep_replays() TO yanshen_worker;
