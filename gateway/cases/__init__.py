"""GraphQL mutations of the 帮办代办 cases context."""

from gateway.cases.schema import CaseMutations

__all__ = ["CaseMutations"]
