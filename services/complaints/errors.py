"""Errors of the complaints context: one base, each with the stable code of its kind."""

from __future__ import annotations

from services.shared.errors import ConflictError, DomainError, ForbiddenError, NotFoundError

__all__ = [
    "AssigneeOffboardedError",
    "ComplaintError",
    "ComplaintNotFoundError",
    "ComplaintNotRepliedError",
    "ComplaintStateError",
    "NotTheComplainantError",
]


class ComplaintError(DomainError):
    """A complaint command was refused."""


class ComplaintNotFoundError(ComplaintError, NotFoundError):
    """No complaint with this id in the hall."""


class ComplaintStateError(ComplaintError, ConflictError):
    """The command is not allowed in the complaint's current state."""


class ComplaintNotRepliedError(ComplaintStateError):
    """The complaint was never replied to (意见反馈), so it cannot be closed or archived."""


class NotTheComplainantError(ComplaintError, ForbiddenError):
    """Only the complainant may do this."""


class AssigneeOffboardedError(ComplaintError, ConflictError):
    """The assignee is the badge of a staff member who left the hall."""
