-- Subjects of shared records (refines 0005_personal_data.sql).
--
-- An event whose contract has a subject field but leaves it empty (an anonymous ticket or
-- complaint) is sealed for the record itself ('record:<aggregate id>'), not for whichever
-- subject an earlier event of the record named: a queue day holds many applicants' tickets,
-- and an anonymous one must not be erased with the first applicant of the day. Only events
-- whose contract names no subject at all (a case's follow-up note) inherit the record's
-- subject. p_subjects[i]: NULL = no subject field, '' = empty subject field, else the subject.
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
        s := p_subjects[i];
        IF s IS NULL THEN
            SELECT r.subject_id INTO s FROM subject_records r
            WHERE r.tenant_id = p_tenant_id AND r.aggregate_id = p_aggregate_ids[i]
            ORDER BY r.created_at, r.subject_id LIMIT 1;
        END IF;
        s := coalesce(nullif(s, ''), 'record:' || p_aggregate_ids[i]);
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
