"""Errors of the 帮办代办 cases context: one base, each with the stable code of its kind.

Every refused command raises one of these before any event is triggered, so nothing is
recorded. The ``code`` (inherited from the shared error kinds) is what GraphQL clients see.
"""

from __future__ import annotations

from services.shared.errors import ConflictError, DomainError, NotFoundError, ValidationError

__all__ = [
    "CaseEndedError",
    "CaseError",
    "CaseNotFoundError",
    "CaseStateError",
    "CaseSuspendedError",
    "CaseValidationError",
    "FollowUpError",
    "HandOverError",
    "IncompleteNoticeError",
    "ItemNotAvailableError",
    "MandateError",
    "MaterialsIncompleteError",
    "ModeNotAllowedError",
    "NoticeOutstandingError",
    "OneTimeNoticeError",
    "StaffNotOnboardedError",
]


class CaseError(DomainError):
    """A 帮办代办 case command was refused; nothing was recorded."""


class CaseValidationError(CaseError, ValidationError):
    """The command's input breaks a rule of the case (empty reason, bad phone, …)."""


class CaseNotFoundError(CaseError, NotFoundError):
    """No case with this id in the hall."""


class ItemNotAvailableError(CaseError, NotFoundError):
    """The service item is not a published 帮办代办 item of the hall's catalog."""


class StaffNotOnboardedError(CaseError, NotFoundError):
    """No staff member with this badge number (工号) in the hall."""


class CaseStateError(CaseError, ConflictError):
    """The command is not allowed in the case's current status."""


class CaseEndedError(CaseStateError):
    """The case was completed or terminated (办结/终止): only 回访 and 归档 remain."""


class CaseSuspendedError(CaseStateError):
    """The case is suspended (中止); resume it (续办) first."""


class ModeNotAllowedError(CaseStateError):
    """The case's mode has no such step (e.g. a mandate for 现场导办)."""


class OneTimeNoticeError(CaseStateError):
    """一次性告知: the case already had its one notice of missing materials."""


class IncompleteNoticeError(CaseError, ValidationError):
    """一次性告知: the notice must list every missing material at once."""


class NoticeOutstandingError(CaseStateError):
    """Materials listed in the one-time notice are still outstanding (the clock is stopped)."""


class MaterialsIncompleteError(CaseStateError):
    """The case's materials are not complete yet (checked and all supplied)."""


class MandateError(CaseStateError):
    """The mandate (委托) is missing, unverified or already signed."""


class HandOverError(CaseStateError):
    """The materials were not handed over yet, or were handed over already."""


class FollowUpError(CaseStateError):
    """The follow-up call (回访) is missing or was already made."""
