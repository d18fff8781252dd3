"""The base errors of every bounded context, each with a stable code.

The gateway maps ``code`` to the GraphQL ``extensions.code`` in one place; the
codes are part of the public API and never change meaning.
"""

from __future__ import annotations

__all__ = ["ConflictError", "DomainError", "ForbiddenError", "NotFoundError", "ValidationError"]


class DomainError(Exception):
    """A command was refused; nothing was recorded."""

    code = "VALIDATION"


class ValidationError(DomainError):
    """The command's input breaks a rule of the domain."""

    code = "VALIDATION"


class NotFoundError(DomainError):
    """The record does not exist in this hall."""

    code = "NOT_FOUND"


class ConflictError(DomainError):
    """The command clashes with the record's current state or a concurrent change."""

    code = "CONFLICT"


class ForbiddenError(DomainError):
    """The actor may not do this."""

    code = "FORBIDDEN"
