"""Evaluations (好差评, GB/T 39734): every visit and every matter rated once, five levels;
bad ratings rectified; mistaken or malicious ratings excluded on appeal."""

from services.evaluations.application import (
    EvaluationService,
    Invitation,
    InvitedEvaluation,
    Rating,
)
from services.evaluations.domain import Evaluation
from services.evaluations.errors import (
    AppealStateError,
    EvaluationError,
    EvaluationExistsError,
    EvaluationNotFoundError,
    ItemNotRatedError,
    ItemWithdrawnError,
    NotTheRaterError,
    RatingAlreadySubmittedError,
    RatingCodeError,
    RatingCodeNotReissuableError,
    RatingNotDueError,
    RatingPeriodOverError,
    RatingStateError,
    WindowOrStaffNotFoundError,
)
from services.evaluations.values import (
    AppealReason,
    EvaluationChannel,
    EvaluationStatus,
    Indicator,
    RatingLevel,
    SubjectKind,
)

__all__ = [
    "AppealReason",
    "AppealStateError",
    "Evaluation",
    "EvaluationChannel",
    "EvaluationError",
    "EvaluationExistsError",
    "EvaluationNotFoundError",
    "EvaluationService",
    "EvaluationStatus",
    "Indicator",
    "Invitation",
    "InvitedEvaluation",
    "ItemNotRatedError",
    "ItemWithdrawnError",
    "NotTheRaterError",
    "Rating",
    "RatingAlreadySubmittedError",
    "RatingCodeError",
    "RatingCodeNotReissuableError",
    "RatingLevel",
    "RatingNotDueError",
    "RatingPeriodOverError",
    "RatingStateError",
    "SubjectKind",
    "WindowOrStaffNotFoundError",
]
