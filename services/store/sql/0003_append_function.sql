-- yanshen_append: the append statement wrapped in a PL/pgSQL function, so that one
-- autocommit call (one round trip, an implicit transaction) sets the hall for row-level
-- security, records the optional tracking position, and runs the chained insert with a plan
-- cached per session. Measured: about half the client CPU of a pipelined
-- BEGIN/set_config/statement/COMMIT (see docs/performance.md).
--
-- No NOTIFY in here: a transaction that notifies takes a cluster-wide lock that is held
-- through its commit (WAL flush), which serialised all halls' commits (measured 860 vs 2,408
-- appends/s with 8 halls). The writer sends NOTIFY right after the commit instead, in its own
-- short transaction (services/store/session.py); consumers also poll tenant_heads.
--
-- SECURITY INVOKER (the default): it runs as the caller's role, so RLS still applies; it can
-- only write the hall it is given, and the caller cannot name another hall than it sets.

ALTER FUNCTION yanshen_event_bytes(text, bigint, text, bigint, text, bytea)
    CALLED ON NULL INPUT;

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
    INSERT INTO tenant_heads (tenant_id) VALUES (p_tenant_id) ON CONFLICT DO NOTHING;
    RETURN QUERY
    WITH RECURSIVE
    head AS (
        SELECT h.position, h.last_hash FROM tenant_heads h
        WHERE h.tenant_id = p_tenant_id
        FOR NO KEY UPDATE
    ),
    input AS (
        SELECT u.ord, u.originator_id, u.originator_version, u.topic, u.state
        FROM unnest(p_originator_ids, p_versions, p_topics, p_states)
            WITH ORDINALITY AS u(originator_id, originator_version, topic, state, ord)
    ),
    chain AS (
        SELECT i.ord, h.position + 1 AS position, i.originator_id, i.originator_version,
               i.topic, i.state, h.last_hash AS prev_hash,
               sha256(h.last_hash || yanshen_event_bytes(p_tenant_id, h.position + 1,
                      i.originator_id, i.originator_version, i.topic, i.state)) AS hash
        FROM head h JOIN input i ON i.ord = 1
      UNION ALL
        SELECT i.ord, c.position + 1, i.originator_id, i.originator_version,
               i.topic, i.state, c.hash,
               sha256(c.hash || yanshen_event_bytes(p_tenant_id, c.position + 1,
                      i.originator_id, i.originator_version, i.topic, i.state))
        FROM chain c JOIN input i ON i.ord = c.ord + 1
    ),
    inserted AS (
        INSERT INTO events (tenant_id, position, originator_id, originator_version, topic,
                            state, prev_hash, hash)
        SELECT p_tenant_id, c.position, c.originator_id, c.originator_version, c.topic,
               c.state, c.prev_hash, c.hash
        FROM chain c
        RETURNING events.position
    ),
    moved AS (
        UPDATE tenant_heads t
        SET position = last.position, last_hash = last.hash, updated_at = now()
        FROM (SELECT c.position, c.hash FROM chain c ORDER BY c.ord DESC LIMIT 1) AS last
        WHERE t.tenant_id = p_tenant_id
        RETURNING t.position
    )
    SELECT i.position FROM inserted i CROSS JOIN moved ORDER BY i.position;
END
$$;

GRANT EXECUTE ON FUNCTION yanshen_append(text, text[], bigint[], text[], bytea[], text, bigint)
    TO yanshen_app, yanshen_worker;
