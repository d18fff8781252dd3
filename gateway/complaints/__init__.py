"""GraphQL mutations of the complaints context (服务投诉, GB/T 36113)."""

from gateway.complaints.schema import ComplaintMutations

__all__ = ["ComplaintMutations"]
