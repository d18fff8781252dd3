"""GraphQL query of the audit trail (操作日志) read model."""

from gateway.audit_trail.queries import AuditTrailQueries

__all__ = ["AuditTrailQueries"]
