"""GraphQL mutations of the staff context (服务人员)."""

from gateway.staff.schema import StaffMutations

__all__ = ["StaffMutations"]
