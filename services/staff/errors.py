"""Errors of the staff context: one base, each with the stable code of its kind."""

from __future__ import annotations

from services.shared.errors import ConflictError, DomainError, ForbiddenError, NotFoundError

__all__ = [
    "StaffAlreadyAssignedError",
    "StaffAlreadySignedInError",
    "StaffError",
    "StaffExistsError",
    "StaffNotAssignedError",
    "StaffNotFoundError",
    "StaffNotOnDutyError",
    "StaffNotSignedInError",
    "StaffOffboardedError",
    "StaffOnDutyError",
    "StaffWorkOpenError",
    "StaffWorkUnknownError",
]


class StaffError(DomainError):
    """A command of the staff context was refused."""


class StaffExistsError(StaffError, ConflictError):
    """A staff member with this badge number is already onboarded in the hall."""


class StaffNotFoundError(StaffError, NotFoundError):
    """No staff member with this badge number in the hall."""


class StaffOffboardedError(StaffError, ConflictError):
    """The staff member left the hall: nothing more can be recorded for them."""


class StaffAlreadyAssignedError(StaffError, ConflictError):
    """The staff member already holds this post at the window."""


class StaffNotAssignedError(StaffError, ForbiddenError):
    """The staff member is not assigned to the window (neither A nor B post)."""


class StaffAlreadySignedInError(StaffError, ConflictError):
    """The staff member is already signed in (at this or another window)."""


class StaffNotSignedInError(StaffError, ConflictError):
    """The staff member is not signed in, so cannot sign out."""


class StaffOnDutyError(StaffError, ConflictError):
    """The staff member is signed in: sign out first."""


class StaffNotOnDutyError(StaffError, ForbiddenError):
    """Only a staff member signed in at the window may act there (call tickets …)."""


class StaffWorkOpenError(StaffError, ConflictError):
    """The staff member still holds open cases, complaints or rectification steps: reassign
    them first (nobody else would see their deadlines)."""


class StaffWorkUnknownError(StaffError, ConflictError):
    """The staff member's open work could not be read up to date (the worklists are behind
    the hall's log): nothing was recorded, try again."""
