"""GraphQL mutations and queries (the case register) of the 帮办代办 cases context."""

from gateway.cases.queries import CaseQueries
from gateway.cases.schema import CaseMutations

__all__ = ["CaseMutations", "CaseQueries"]
