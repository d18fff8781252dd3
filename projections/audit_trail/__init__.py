"""The audit trail (操作日志): every staff and system action of a hall, searchable by actor,
record and time — projection and queries."""

from projections.audit_trail.projection import AuditTrailProjection
from projections.audit_trail.view import AuditTrailFilter, AuditTrailRow, audit_trail

__all__ = ["AuditTrailFilter", "AuditTrailProjection", "AuditTrailRow", "audit_trail"]
