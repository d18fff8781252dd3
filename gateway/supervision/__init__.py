"""GraphQL mutations of the supervision context (监督考核与改进)."""

from gateway.supervision.schema import SupervisionMutations

__all__ = ["SupervisionMutations"]
