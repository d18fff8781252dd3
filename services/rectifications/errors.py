"""Errors of the rectifications context: one base, each with the stable code of its kind."""

from __future__ import annotations

from services.shared.errors import ConflictError, DomainError, NotFoundError

__all__ = ["RectificationError", "RectificationNotFoundError", "RectificationStateError"]


class RectificationError(DomainError):
    """A rectification command was refused."""


class RectificationNotFoundError(RectificationError, NotFoundError):
    """No rectification with this id in the hall."""


class RectificationStateError(RectificationError, ConflictError):
    """The command is not allowed in the rectification's current state."""
