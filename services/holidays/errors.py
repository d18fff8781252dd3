"""The errors of the holidays context, each under :class:`HolidayScheduleError`."""

from __future__ import annotations

from services.shared.errors import DomainError, NotFoundError, ValidationError

__all__ = [
    "HolidayScheduleError",
    "HolidayScheduleInvalidError",
    "HolidayScheduleNotFoundError",
    "HolidayScheduleUnchangedError",
]


class HolidayScheduleError(DomainError):
    """A holiday schedule command was refused; nothing was recorded."""


class HolidayScheduleInvalidError(HolidayScheduleError, ValidationError):
    """The schedule breaks a rule: a date outside its year, a day both off and on, a make-up
    working day on a weekday, too many days, no notice."""


class HolidayScheduleUnchangedError(HolidayScheduleError, ValidationError):
    """The year already has exactly this schedule from this notice."""


class HolidayScheduleNotFoundError(HolidayScheduleError, NotFoundError):
    """No schedule was recorded for the year."""
