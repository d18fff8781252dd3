"""Errors of the supervision context: one base, each with the stable code of its kind."""

from __future__ import annotations

from services.shared.errors import ConflictError, DomainError, NotFoundError

__all__ = [
    "AssessmentExistsError",
    "RankingSeriesChangedError",
    "SupervisionError",
    "SupervisionNotFoundError",
    "SupervisionStateError",
    "SupervisionSubjectNotFoundError",
]


class SupervisionError(DomainError):
    """A supervision command was refused."""


class SupervisionNotFoundError(SupervisionError, NotFoundError):
    """No such inspection, violation, assessment, interview or action in the hall."""


class SupervisionSubjectNotFoundError(SupervisionNotFoundError):
    """What the record points at is not in the hall: a badge number never onboarded, a
    window never configured or an item never published."""


class SupervisionStateError(SupervisionError, ConflictError):
    """The command is not allowed in the record's current state (e.g. closed, published)."""


class AssessmentExistsError(SupervisionStateError):
    """The hall already has an assessment of this scope for this period."""


class RankingSeriesChangedError(SupervisionError, ConflictError):
    """Another monthly window ranking of the hall (or this one) was published concurrently;
    the publication is tried again, and this is raised when it kept losing."""
