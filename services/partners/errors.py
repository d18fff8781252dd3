"""The errors of the partners context, each under :class:`PartnerError` with a stable code."""

from __future__ import annotations

from services.shared.errors import ConflictError, DomainError, NotFoundError, ValidationError

__all__ = [
    "GrantNotActiveError",
    "GrantUnchangedError",
    "PartnerAlreadyRegisteredError",
    "PartnerError",
    "PartnerIdError",
    "PartnerNotFoundError",
    "UnknownEventTypeError",
]


class PartnerError(DomainError):
    """A partner or grant command was refused; nothing was recorded."""


class PartnerIdError(PartnerError, ValidationError):
    """A partner id is not a lowercase slug of 1 to 63 characters."""


class UnknownEventTypeError(PartnerError, ValidationError):
    """A grant names an event type that has no public contract (or cannot be granted)."""


class PartnerAlreadyRegisteredError(PartnerError, ConflictError):
    """A partner with this id is already registered."""


class PartnerNotFoundError(PartnerError, NotFoundError):
    """No partner with this id is registered."""


class GrantUnchangedError(PartnerError, ValidationError):
    """The grant already has exactly this scope."""


class GrantNotActiveError(PartnerError, ConflictError):
    """The partner holds no active grant in this hall (never granted, or revoked)."""
