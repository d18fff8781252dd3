"""GraphQL mutations and queries (statistics, ratings, bad ratings) of the evaluations context
(好差评)."""

from gateway.evaluations.queries import EvaluationQueries
from gateway.evaluations.schema import EvaluationMutations

__all__ = ["EvaluationMutations", "EvaluationQueries"]
