"""GraphQL mutations, queries and subscription (the case register) of the 帮办代办 cases
context."""

from gateway.cases.queries import CaseQueries
from gateway.cases.schema import CaseMutations
from gateway.cases.subscriptions import CaseSubscriptions

__all__ = ["CaseMutations", "CaseQueries", "CaseSubscriptions"]
