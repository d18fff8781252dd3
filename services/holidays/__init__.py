"""Holiday schedules (节假日安排): the State Council's yearly notice, recorded once for the
whole platform by its operators, so that every hall's time limits count the right working
days (see ``docs/working-days.md``).

The schedules live in the platform log (:data:`~services.shared.ids.PLATFORM_LOG`);
:class:`RecordedCalendars` gives every hall application the calendar they make.
"""

from services.holidays.application import HolidaySchedules
from services.holidays.coverage import WARN_DAYS, YearCoverage, coverage, uncovered_next_year
from services.holidays.domain import HolidaySchedule, checked_days
from services.holidays.errors import (
    HolidayScheduleError,
    HolidayScheduleInvalidError,
    HolidayScheduleNotFoundError,
    HolidayScheduleUnchangedError,
)
from services.holidays.recorded import RecordedCalendars, ScheduleRecord, recorded_schedules

__all__ = [
    "WARN_DAYS",
    "HolidaySchedule",
    "HolidayScheduleError",
    "HolidayScheduleInvalidError",
    "HolidayScheduleNotFoundError",
    "HolidayScheduleUnchangedError",
    "HolidaySchedules",
    "RecordedCalendars",
    "ScheduleRecord",
    "YearCoverage",
    "checked_days",
    "coverage",
    "recorded_schedules",
    "uncovered_next_year",
]
