"""Errors of the audit context: one base, each with the stable code of its kind."""

from __future__ import annotations

from services.shared.errors import ConflictError, DomainError, NotFoundError, ValidationError

__all__ = [
    "AuditError",
    "ReasonRequiredError",
    "RecordNotFoundError",
    "ReplayUnsettledError",
    "UnknownHallError",
    "UnreadableRecordError",
]


class AuditError(DomainError):
    """An audit read or command was refused."""


class ReasonRequiredError(AuditError, ValidationError):
    """Reads of a hall's history must say why (the reason goes into the access log)."""


class RecordNotFoundError(AuditError, NotFoundError):
    """The record does not exist in this hall (at the point in time asked for)."""


class ReplayUnsettledError(AuditError, ConflictError):
    """A replay found no moment at which a live read model stood still long enough to be
    compared (a busy hall): nothing was compared, and a report saying "identical" would be
    false. Running it again usually succeeds."""


class UnknownHallError(AuditError, NotFoundError):
    """The hall has no log, so it does not exist: nothing to read, and nothing is recorded
    (an access record would otherwise bring the hall into being in the immutable log)."""


class UnreadableRecordError(AuditError):
    """The record's events could not be turned back into its state at that point."""
