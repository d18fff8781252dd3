-- Sweeping what a rebuild that no longer runs left behind (`yanshen rebuild` killed with
-- kill -9, its machine lost, its clean-up failed): the shadow schema yanshen_rebuild_<name>,
-- which holds copies of the read model's rows (personal data included, which erasures after
-- the rebuild died never reach), and the positions of consumer projection:<name>@rebuild.
-- (The rebuild's other schema, yanshen_retired_<name>, lives inside the swap's transaction.)
--
-- A rebuild holds its projections' session advisory locks (1498415106 = 0x59500002,
-- hashtext(<name>); projections/runtime/locks.py) from its start until it has cleaned up, so
-- what belongs to a projection whose lock is free is stale. The lock is only tried, never
-- waited for: a running rebuild is left alone ('running'). It is taken for the transaction,
-- so a rebuild that starts meanwhile waits for the drop to commit. The drop waits at most
-- lock_timeout for the shadow's tables and position rows (the last batch of an orphaned
-- rebuild process, which ends within a second of its parent): then the projection is
-- reported 'busy' and left to the next sweep.
--
-- SECURITY DEFINER: projection workers (yanshen_worker) sweep at their start and every
-- minute; only the owner may drop the shadows and delete positions. It drops nothing but
-- yanshen_rebuild_* schemas and deletes nothing but …@rebuild positions.
CREATE OR REPLACE FUNCTION yanshen_sweep_rebuilds()
RETURNS TABLE (projection text, outcome text, shadow boolean, positions bigint)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET lock_timeout = '200ms'
SET client_min_messages = warning
AS $$
DECLARE
    stale text;
BEGIN
    FOR stale IN
        SELECT substr(n.nspname, 17) FROM pg_catalog.pg_namespace n
        WHERE n.nspname LIKE 'yanshen\_rebuild\_%'
        UNION
        SELECT substr(c.consumer, 12, length(c.consumer) - 19) FROM consumer_positions c
        WHERE c.consumer LIKE 'projection:%@rebuild'
        ORDER BY 1
    LOOP
        projection := stale;
        IF NOT pg_try_advisory_xact_lock(1498415106, hashtext(stale)) THEN
            outcome := 'running';
        ELSE
            outcome := 'removed';
        END IF;
        shadow := EXISTS (
            SELECT FROM pg_catalog.pg_namespace n WHERE n.nspname = 'yanshen_rebuild_' || stale
        );
        SELECT count(*) INTO positions FROM consumer_positions c
        WHERE c.consumer = 'projection:' || stale || '@rebuild';
        IF outcome = 'removed' THEN
            BEGIN
                IF shadow THEN
                    EXECUTE format('DROP SCHEMA IF EXISTS %I CASCADE', 'yanshen_rebuild_' || stale);
                END IF;
                DELETE FROM consumer_positions c
                WHERE c.consumer = 'projection:' || stale || '@rebuild';
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
        'ALTER FUNCTION yanshen_sweep_rebuilds() SET search_path = %I, pg_temp', current_schema());
END
$$;

REVOKE ALL ON FUNCTION yanshen_sweep_rebuilds() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION yanshen_sweep_rebuilds() TO yanshen_worker;
