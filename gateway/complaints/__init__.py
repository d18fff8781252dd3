"""GraphQL mutations, queries and subscription (the complaint register) of the complaints
context (服务投诉, GB/T 36113)."""

from gateway.complaints.queries import ComplaintQueries
from gateway.complaints.schema import ComplaintMutations
from gateway.complaints.subscriptions import ComplaintSubscriptions

__all__ = ["ComplaintMutations", "ComplaintQueries", "ComplaintSubscriptions"]
