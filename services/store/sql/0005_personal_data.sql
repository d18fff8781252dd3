-- Personal data (个人信息) of applicants, encrypted inside events with a key per data subject
-- (crypto-shredding, docs/adr/0002-crypto-shredding.md; code in services/privacy/).
--
-- subject_keys: one AES-256-GCM data key per (hall, subject) while it is active; an erasure
-- sets data_key to NULL (the key is destroyed), after which every read of the subject's sealed
-- fields shows the erased marker. A later event for the same subject gets a new key.
-- subject_records: which records (aggregates) hold a subject's personal data, so events of a
-- record that do not name their subject are sealed with the record's subject's key, and
-- snapshots of the record are sealed too.
--
-- The events themselves never change: the hash chain covers the stored ciphertext.

CREATE TABLE subject_keys (
    tenant_id  text        NOT NULL,
    subject_id text        NOT NULL,
    key_id     uuid        NOT NULL,
    data_key   bytea,
    created_at timestamptz NOT NULL DEFAULT now(),
    erased_at  timestamptz,
    CONSTRAINT subject_keys_pkey PRIMARY KEY (tenant_id, key_id),
    CONSTRAINT subject_keys_key_or_erased CHECK ((data_key IS NULL) = (erased_at IS NOT NULL)),
    CONSTRAINT subject_keys_key_length CHECK (data_key IS NULL OR octet_length(data_key) = 32)
);
-- At most one active key per subject.
CREATE UNIQUE INDEX subject_keys_active ON subject_keys (tenant_id, subject_id)
    WHERE erased_at IS NULL;

CREATE TABLE subject_records (
    tenant_id    text        NOT NULL,
    aggregate_id text        NOT NULL,
    subject_id   text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    CONSTRAINT subject_records_pkey PRIMARY KEY (tenant_id, aggregate_id, subject_id)
);
CREATE INDEX subject_records_subject ON subject_records (tenant_id, subject_id);

-- A destroyed key stays destroyed, and a key is never replaced by another.
CREATE OR REPLACE FUNCTION yanshen_subject_keys_guard() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF NEW.data_key IS NOT NULL OR OLD.data_key IS NULL
       OR NEW.key_id <> OLD.key_id OR NEW.subject_id <> OLD.subject_id
       OR NEW.tenant_id <> OLD.tenant_id THEN
        RAISE EXCEPTION 'subject keys can only be destroyed'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER subject_keys_only_destroyed BEFORE UPDATE ON subject_keys
    FOR EACH ROW EXECUTE FUNCTION yanshen_subject_keys_guard();

-- The active key of each (record, subject) pair, created on first use: one call per commit
-- that carries personal data. p_subjects[i] NULL or '' means "the record's subject": the
-- first subject linked to the record, else the record itself ('record:<aggregate id>').
-- p_candidates[i] is a fresh random key from the caller, used only when a key is created.
CREATE OR REPLACE FUNCTION yanshen_subject_keys(
    p_tenant_id text,
    p_aggregate_ids text[],
    p_subjects text[],
    p_candidates bytea[]
) RETURNS TABLE (ord integer, subject_id text, key_id uuid, data_key bytea)
LANGUAGE plpgsql VOLATILE
AS $$
#variable_conflict use_column
DECLARE
    i integer;
    s text;
BEGIN
    PERFORM set_config('yanshen.tenant_id', p_tenant_id, true);
    FOR i IN 1 .. coalesce(array_length(p_aggregate_ids, 1), 0) LOOP
        s := nullif(p_subjects[i], '');
        IF s IS NULL THEN
            SELECT r.subject_id INTO s FROM subject_records r
            WHERE r.tenant_id = p_tenant_id AND r.aggregate_id = p_aggregate_ids[i]
            ORDER BY r.created_at, r.subject_id LIMIT 1;
            s := coalesce(s, 'record:' || p_aggregate_ids[i]);
        END IF;
        INSERT INTO subject_records AS r (tenant_id, aggregate_id, subject_id)
        VALUES (p_tenant_id, p_aggregate_ids[i], s) ON CONFLICT DO NOTHING;
        INSERT INTO subject_keys AS k (tenant_id, subject_id, key_id, data_key)
        VALUES (p_tenant_id, s, gen_random_uuid(), p_candidates[i])
        ON CONFLICT (tenant_id, subject_id) WHERE erased_at IS NULL DO NOTHING;
        RETURN QUERY
        SELECT i, k.subject_id, k.key_id, k.data_key FROM subject_keys k
        WHERE k.tenant_id = p_tenant_id AND k.subject_id = s AND k.erased_at IS NULL;
    END LOOP;
END
$$;

GRANT SELECT, INSERT ON subject_keys, subject_records TO yanshen_app, yanshen_worker;
-- Only an erasure updates a key (and the guard only lets it destroy the key).
GRANT UPDATE (data_key, erased_at) ON subject_keys TO yanshen_app;
GRANT EXECUTE ON FUNCTION yanshen_subject_keys(text, text[], text[], bytea[])
    TO yanshen_app, yanshen_worker;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['subject_keys', 'subject_records'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY %I ON %I TO yanshen_app '
            'USING (tenant_id = current_setting(''yanshen.tenant_id'', true)) '
            'WITH CHECK (tenant_id = current_setting(''yanshen.tenant_id'', true))',
            t || '_tenant_isolation', t);
        EXECUTE format(
            'CREATE POLICY %I ON %I TO yanshen_worker USING (true) WITH CHECK (true)',
            t || '_platform_worker', t);
    END LOOP;
END
$$;
