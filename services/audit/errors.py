"""Errors of the audit context: one base, each with the stable code of its kind."""

from __future__ import annotations

from services.shared.errors import DomainError, NotFoundError, ValidationError

__all__ = [
    "AuditError",
    "ReasonRequiredError",
    "RecordNotFoundError",
    "UnknownHallError",
    "UnreadableRecordError",
]


class AuditError(DomainError):
    """An audit read or command was refused."""


class ReasonRequiredError(AuditError, ValidationError):
    """Reads of a hall's history must say why (the reason goes into the access log)."""


class RecordNotFoundError(AuditError, NotFoundError):
    """The record does not exist in this hall (at the point in time asked for)."""


class UnknownHallError(AuditError, NotFoundError):
    """The hall has no log, so it does not exist: nothing to read, and nothing is recorded
    (an access record would otherwise bring the hall into being in the immutable log)."""


class UnreadableRecordError(AuditError):
    """The record's events could not be turned back into its state at that point."""
