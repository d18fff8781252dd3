"""Evaluation statistics (好差评: counts per level, 好评率, 未评率, 主动评价, ranking) and the
ratings behind them, bad ratings with their rectification: projection and queries."""

from projections.evaluations.projection import EvaluationRatingsProjection
from projections.evaluations.statistics import (
    Dimension,
    RatingCounts,
    RatingStatistics,
    rating_statistics,
)
from projections.evaluations.view import (
    BAD_LEVELS,
    DueDefaultRating,
    RatingFilter,
    RatingRow,
    due_default_ratings,
    list_ratings,
    ratings_by_id,
)

__all__ = [
    "BAD_LEVELS",
    "Dimension",
    "DueDefaultRating",
    "EvaluationRatingsProjection",
    "RatingCounts",
    "RatingFilter",
    "RatingRow",
    "RatingStatistics",
    "due_default_ratings",
    "list_ratings",
    "rating_statistics",
    "ratings_by_id",
]
