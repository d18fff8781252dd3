-- The audit trail's own events (access log, published chain heads, erasures) are found
-- without scanning a hall's log: a partial index holds only those rows, so other appends
-- pay nothing but the predicate (services/audit/, docs/audit.md).
CREATE INDEX events_audit_topics ON events (tenant_id, topic, position)
    WHERE topic IN (
        'services.audit.domain:AuditAccess.Recorded',
        'services.audit.domain:ChainHead.Published',
        'services.privacy.domain:ErasureRequest.PersonalDataErased'
    );
