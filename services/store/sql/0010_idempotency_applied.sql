-- Idempotency keys whose request was applied, recorded by the request's appends themselves.
--
-- A mutation sent with an Idempotency-Key (gateway/idempotency) is claimed in
-- idempotency_keys, run, and its response stored there afterwards, in another transaction. A
-- gateway process that died between its events' commit and that store left a claim without a
-- response, and the client's retry ran the mutation a second time. Now, while such a request
-- runs (services/store/request_key.py), every append it makes goes through
-- yanshen_append_keyed, which also writes, in the append's transaction, one row here per
-- (hall of the key, caller, key) with the log and position of the request's first event; a
-- retry that finds the row answers ALREADY_APPLIED instead of running the request again.
-- Appends of requests without a key never come here (plain yanshen_append, as before).
--
-- tenant_id is the hall the key is kept in, as in idempotency_keys (the caller's, '' for
-- platform callers), which may differ from log_id, the hall (or platform log) appended to.
-- Rows go with their key: purged with the key's TTL, and cleared when the key is claimed
-- afresh (gateway/idempotency/store.py).
CREATE TABLE idempotency_applied (
    tenant_id  text        NOT NULL,
    principal  text        NOT NULL,
    key        text        NOT NULL,
    log_id     text        NOT NULL,
    position   bigint      NOT NULL CHECK (position > 0),
    applied_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT idempotency_applied_pkey PRIMARY KEY (tenant_id, principal, key)
);
CREATE INDEX idempotency_applied_at ON idempotency_applied (tenant_id, applied_at);

ALTER TABLE idempotency_applied ENABLE ROW LEVEL SECURITY;
ALTER TABLE idempotency_applied FORCE ROW LEVEL SECURITY;
CREATE POLICY idempotency_applied_tenant ON idempotency_applied TO yanshen_app
    USING (tenant_id = current_setting('yanshen.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('yanshen.tenant_id', true));
CREATE POLICY idempotency_applied_worker ON idempotency_applied TO yanshen_worker
    USING (true) WITH CHECK (true);
-- Written once, never changed: no UPDATE.
GRANT SELECT, INSERT, DELETE ON idempotency_applied TO yanshen_app, yanshen_worker;

-- yanshen_append, and the key's row in the same transaction (only when events were
-- appended; a later append of the same request keeps the first row). The row is written
-- under the key's hall (p_scope) for row-level security, then the transaction's hall is set
-- back to the one appended to. SECURITY INVOKER (the default): RLS applies to the row as to
-- any statement of the caller; the events still go through yanshen_append only.
CREATE FUNCTION yanshen_append_keyed(
    p_scope text,
    p_principal text,
    p_key text,
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
    text, text, text, text, text[], bigint[], text[], bytea[], text, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION yanshen_append_keyed(
    text, text, text, text, text[], bigint[], text[], bytea[], text, bigint)
    TO yanshen_app, yanshen_worker;
