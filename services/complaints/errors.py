"""Errors of the complaints context: one base, each with the stable code of its kind."""

from __future__ import annotations

from services.shared.errors import ConflictError, DomainError, ForbiddenError, NotFoundError

__all__ = [
    "AssigneeOffboardedError",
    "ComplaintError",
    "ComplaintNotAssignedError",
    "ComplaintNotFoundError",
    "ComplaintNotRepliedError",
    "ComplaintStateError",
    "ExtensionLimitError",
    "NotTheComplainantError",
    "RespondentRecusalError",
]


class ComplaintError(DomainError):
    """A complaint command was refused."""


class ComplaintNotFoundError(ComplaintError, NotFoundError):
    """No complaint with this id in the hall."""


class ComplaintStateError(ComplaintError, ConflictError):
    """The command is not allowed in the complaint's current state."""


class ComplaintNotRepliedError(ComplaintStateError):
    """The complaint was never replied to (意见反馈), so it cannot be closed or archived."""


class ComplaintNotAssignedError(ComplaintStateError):
    """登记转办: a referred complaint is investigated only once it was referred (assigned)."""


class ExtensionLimitError(ComplaintStateError):
    """延期: the handling round's deadline was already extended once."""


class NotTheComplainantError(ComplaintError, ForbiddenError):
    """Only the complainant may do this."""


class RespondentRecusalError(ComplaintError, ForbiddenError):
    """回避: the staff member complained about takes no part in handling the complaint."""


class AssigneeOffboardedError(ComplaintError, ConflictError):
    """The assignee is the badge of a staff member who left the hall."""
