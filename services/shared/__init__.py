"""Shared kernel of the command side: hall ids, base errors. Pure, no I/O."""

from services.shared.errors import (
    ConflictError,
    DomainError,
    ForbiddenError,
    NotFoundError,
    ValidationError,
)
from services.shared.ids import HALL_ID_PATTERN, stable_id, validate_hall_id

__all__ = [
    "HALL_ID_PATTERN",
    "ConflictError",
    "DomainError",
    "ForbiddenError",
    "NotFoundError",
    "ValidationError",
    "stable_id",
    "validate_hall_id",
]
