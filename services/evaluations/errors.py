"""Errors of the evaluations context: one base, each with the stable code of its kind."""

from __future__ import annotations

from services.shared.errors import (
    ConflictError,
    DomainError,
    ForbiddenError,
    NotFoundError,
    ValidationError,
)

__all__ = [
    "AppealStateError",
    "EvaluationError",
    "EvaluationExistsError",
    "EvaluationNotFoundError",
    "ItemNotRatedError",
    "ItemWithdrawnError",
    "NotTheRaterError",
    "RatingAlreadySubmittedError",
    "RatingCodeError",
    "RatingCodeNotReissuableError",
    "RatingNotDueError",
    "RatingPeriodOverError",
    "RatingStateError",
    "WindowOrStaffNotFoundError",
]


class EvaluationError(DomainError):
    """An evaluation command was refused."""


class EvaluationNotFoundError(EvaluationError, NotFoundError):
    """No evaluation (invitation) for this visit or matter in the hall."""


class EvaluationExistsError(EvaluationError, ConflictError):
    """The visit or matter was already invited to be rated."""


class ItemNotRatedError(EvaluationError, ValidationError):
    """The invitation names an item that is not in the hall's catalog, or one published
    as not rated (``rated=False``: it takes no 好差评 ratings)."""


class WindowOrStaffNotFoundError(EvaluationError, NotFoundError):
    """The invitation names a window never configured in the hall, or a badge of no member
    serving there (never onboarded, or offboarded: a member who left served no visit now)."""


class ItemWithdrawnError(EvaluationError, ConflictError):
    """The invitation names an item withdrawn from the hall's catalog."""


class RatingStateError(EvaluationError, ConflictError):
    """The command is not allowed in the evaluation's current state."""


class RatingAlreadySubmittedError(RatingStateError):
    """一次一评、一事一评: the visit or matter was already rated (or defaulted)."""


class RatingCodeNotReissuableError(RatingStateError):
    """补发评价码: the invitation names its applicant, who rates from their account; it has
    no rating code to reissue (``CONFLICT``: the invitation, not the request, is why)."""


class RatingPeriodOverError(RatingStateError):
    """The rating period is over: the visit now counts as rated by default."""


class RatingNotDueError(RatingStateError):
    """The rating period is not over yet, so no default rating applies."""


class AppealStateError(RatingStateError):
    """The rating cannot be appealed, or has no pending appeal to decide."""


class NotTheRaterError(EvaluationError, ForbiddenError):
    """Only the applicant who was served may rate (or append to the rating)."""


class RatingCodeError(NotTheRaterError):
    """评价码: the invitation has no applicant id, and the rating code is missing or wrong."""
