-- Idempotency keys: the attempt holding a claim, and kept responses an erasure reaches.
--
-- attempt: the id of the attempt that holds the key's claim, new on every claim and every
-- take-over of a stale claim (gateway/idempotency/store.py). yanshen_append_keyed
-- (services/store/sql/0011_idempotency_attempts.sql) appends only for the current attempt, and
-- the gateway stores or gives up a response only for it: a slow attempt taken over by a
-- retry records nothing.
--
-- data_keys: the ids of the data subjects' keys (subject_keys, ADR 0002) that sealed or
-- opened personal data while the request ran (services/store/request_key.py): the kept
-- response may hold those subjects' plaintext. When one of those keys is destroyed (个人信息删除,
-- PersonalDataErased, or destroy_subject_keys), the trigger below drops the response in the
-- same transaction: a request that was applied keeps only the position of its first event
-- (ALREADY_APPLIED, no personal data), one that was not is forgotten (its retry runs, as after
-- an INTERNAL error). Responses of requests that touched no personal data are untouched.
ALTER TABLE idempotency_keys
    ADD COLUMN IF NOT EXISTS attempt uuid NOT NULL DEFAULT gen_random_uuid(),
    ADD COLUMN IF NOT EXISTS data_keys uuid[] NOT NULL DEFAULT '{}';
CREATE INDEX IF NOT EXISTS idempotency_keys_data_keys ON idempotency_keys USING gin (data_keys)
    WHERE data_keys <> '{}';

-- Runs as the eraser (yanshen_app in the erased hall's transaction, or yanshen_worker): the
-- rows are read under row-level security, in the erased key's hall and in the platform
-- callers' scope ('', whose keys may have touched a hall's data); the hall is set back after.
CREATE OR REPLACE FUNCTION yanshen_idempotency_key_erased() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
    hall text := coalesce(current_setting('yanshen.tenant_id', true), '');
    scope text;
BEGIN
    FOREACH scope IN ARRAY ARRAY[NEW.tenant_id, ''] LOOP
        PERFORM set_config('yanshen.tenant_id', scope, true);
        UPDATE idempotency_keys k
        SET data_keys = '{}',
            response = jsonb_build_object(
                'data', NULL,
                'errors', jsonb_build_array(jsonb_build_object(
                    'message', format(
                        'the first request with this Idempotency-Key was applied (its first '
                        'event is at position %s of %s); its response held personal data '
                        'erased since (个人信息删除) and is no longer kept; it was not run '
                        'again: read the record to see its state, and send a new key only '
                        'for a new request',
                        a.position,
                        CASE WHEN a.log_id = 'platform' THEN 'the platform log'
                             ELSE 'hall ' || a.log_id END),
                    'path', NULL,
                    'code', 'ALREADY_APPLIED',
                    'extensions', jsonb_build_object('position', a.position,
                                                     'logId', a.log_id))))
        FROM idempotency_applied a
        WHERE k.tenant_id = scope AND k.data_keys @> ARRAY[NEW.key_id]
          AND k.data_keys <> '{}'
          AND a.tenant_id = k.tenant_id AND a.principal = k.principal AND a.key = k.key;
        DELETE FROM idempotency_keys
        WHERE tenant_id = scope AND data_keys @> ARRAY[NEW.key_id] AND data_keys <> '{}';
        EXIT WHEN NEW.tenant_id = '';
    END LOOP;
    PERFORM set_config('yanshen.tenant_id', hall, true);
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS subject_keys_erase_kept_responses ON subject_keys;
CREATE TRIGGER subject_keys_erase_kept_responses
    AFTER UPDATE OF data_key ON subject_keys
    FOR EACH ROW WHEN (OLD.data_key IS NOT NULL AND NEW.data_key IS NULL)
    EXECUTE FUNCTION yanshen_idempotency_key_erased();
