"""GraphQL mutations of the evaluations context (好差评)."""

from gateway.evaluations.schema import EvaluationMutations

__all__ = ["EvaluationMutations"]
