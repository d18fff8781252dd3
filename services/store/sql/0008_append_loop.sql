-- yanshen_append as a PL/pgSQL loop (replaces the body of 0003_append_function.sql).
--
-- Same signature, same effects: lock the hall's head row, number and hash-chain the events,
-- insert them, move the head, record the optional tracking position, in the caller's
-- implicit transaction. The recursive CTE of 0003 cost about 130 µs of server CPU per
-- one-event append; this loop, with the head row read once and created only for a hall's
-- first append, about 90 µs (see docs/performance.md). Commits are almost always one to a
-- few events, where a loop of single-row INSERTs is the cheapest plan.
--
-- SECURITY INVOKER (the default): it runs as the caller's role, so RLS still applies.
CREATE OR REPLACE FUNCTION yanshen_append(
    p_tenant_id text,
    p_originator_ids text[],
    p_versions bigint[],
    p_topics text[],
    p_states bytea[],
    p_tracking_name text DEFAULT NULL,
    p_tracking_id bigint DEFAULT NULL
) RETURNS SETOF bigint
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
    moved_id bigint;
    head_position bigint;
    head_hash bytea;
    new_hash bytea;
BEGIN
    PERFORM set_config('yanshen.tenant_id', p_tenant_id, true);
    IF p_tracking_name IS NOT NULL THEN
        INSERT INTO tracking AS t (tenant_id, application_name, notification_id)
        VALUES (p_tenant_id, p_tracking_name, p_tracking_id)
        ON CONFLICT (tenant_id, application_name) DO UPDATE
        SET notification_id = EXCLUDED.notification_id
        WHERE t.notification_id < EXCLUDED.notification_id
        RETURNING notification_id INTO moved_id;
        IF moved_id IS NULL THEN
            RAISE EXCEPTION USING ERRCODE = 'unique_violation',
                MESSAGE = format('tracking position %s of %s does not move forward',
                                 p_tracking_id, p_tracking_name);
        END IF;
    END IF;
    IF coalesce(cardinality(p_originator_ids), 0) = 0 THEN
        RETURN;
    END IF;
    SELECT h.position, h.last_hash INTO head_position, head_hash
    FROM tenant_heads h WHERE h.tenant_id = p_tenant_id FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        INSERT INTO tenant_heads (tenant_id) VALUES (p_tenant_id) ON CONFLICT DO NOTHING;
        SELECT h.position, h.last_hash INTO head_position, head_hash
        FROM tenant_heads h WHERE h.tenant_id = p_tenant_id FOR NO KEY UPDATE;
    END IF;
    FOR i IN 1 .. cardinality(p_originator_ids) LOOP
        head_position := head_position + 1;
        new_hash := sha256(head_hash || yanshen_event_bytes(p_tenant_id, head_position,
                    p_originator_ids[i], p_versions[i], p_topics[i], p_states[i]));
        INSERT INTO events (tenant_id, position, originator_id, originator_version, topic,
                            state, prev_hash, hash)
        VALUES (p_tenant_id, head_position, p_originator_ids[i], p_versions[i], p_topics[i],
                p_states[i], head_hash, new_hash);
        head_hash := new_hash;
        RETURN NEXT head_position;
    END LOOP;
    UPDATE tenant_heads SET position = head_position, last_hash = head_hash, updated_at = now()
    WHERE tenant_id = p_tenant_id;
END
$$;
