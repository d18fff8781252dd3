-- Fencing the attempts of a keyed request: only the current claim of a key may append.
--
-- A claim in idempotency_keys (projections/gateway_state/sql) may be taken over by a retry
-- once it is older than 60 s (gateway/idempotency/store.py, STALE_SECONDS). A first attempt
-- that was slow rather than dead could still append after that, and so could the retry: the
-- request applied twice. Now each claim carries an attempt id (idempotency_keys.attempt, new
-- on every claim and take-over), and yanshen_append_keyed takes it: in the append's own
-- transaction it locks the key's claim row (FOR SHARE) and appends only if the claim still
-- carries that attempt; otherwise it raises SQLSTATE YS001 (services/store/request_key.py:
-- SupersededError) before anything is written. A take-over locks the same row (FOR UPDATE)
-- and reads idempotency_applied only after it holds the lock, so the two are serialised:
-- either the first attempt's append committed first (the retry then answers ALREADY_APPLIED
-- instead of taking over), or the take-over did (the first attempt's append is refused).
--
-- The claim row is a gateway table, created after the store's migrations; the function reads
-- it at run time only. The old signature (without the attempt) is dropped: an unfenced append
-- under a key is no longer possible.
DROP FUNCTION yanshen_append_keyed(
    text, text, text, text, text[], bigint[], text[], bytea[], text, bigint);

CREATE FUNCTION yanshen_append_keyed(
    p_scope text,
    p_principal text,
    p_key text,
    p_attempt uuid,
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
    positions bigint[];
BEGIN
    -- The claim row is the key's hall's (p_scope) under row-level security.
    PERFORM set_config('yanshen.tenant_id', p_scope, true);
    PERFORM 1 FROM idempotency_keys
    WHERE tenant_id = p_scope AND principal = p_principal AND key = p_key
      AND attempt = p_attempt
    FOR SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'YS001',
            MESSAGE = format('attempt %s no longer holds the claim of its request key', p_attempt);
    END IF;
    PERFORM set_config('yanshen.tenant_id', p_tenant_id, true);
    positions := ARRAY(
        SELECT a.position
        FROM yanshen_append(p_tenant_id, p_originator_ids, p_versions, p_topics, p_states,
                            p_tracking_name, p_tracking_id) AS a(position)
        ORDER BY a.position
    );
    IF cardinality(positions) > 0 THEN
        PERFORM set_config('yanshen.tenant_id', p_scope, true);
        INSERT INTO idempotency_applied (tenant_id, principal, key, log_id, position)
        VALUES (p_scope, p_principal, p_key, p_tenant_id, positions[1])
        ON CONFLICT DO NOTHING;
        PERFORM set_config('yanshen.tenant_id', p_tenant_id, true);
    END IF;
    RETURN QUERY SELECT unnest(positions);
END
$$;

REVOKE ALL ON FUNCTION yanshen_append_keyed(
    text, text, text, uuid, text, text[], bigint[], text[], bytea[], text, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION yanshen_append_keyed(
    text, text, text, uuid, text, text[], bigint[], text[], bytea[], text, bigint)
    TO yanshen_app, yanshen_worker;
