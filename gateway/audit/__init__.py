"""GraphQL of the audit context: history, time travel, access log, personal-data erasure."""

from gateway.audit.schema import AuditMutations, AuditQueries

__all__ = ["AuditMutations", "AuditQueries"]
