"""限时办结: a case's due date in Chinese working days, and how a stopped clock moves it.

The due date is fixed when the case is accepted and moves only when the case clock was
stopped (一次性告知 until the materials are supplied; 中止 until 续办), by exactly the
working days it was stopped. Days are counted the way the calendar counts them: the day a
clock starts (acceptance, notice, suspension) is not counted, the day it restarts is.

>>> from services.shared.working_days import WorkingDayCalendar
>>> cal = WorkingDayCalendar()
>>> due_date(date(2026, 9, 29), 5, cal)                    # across National Day
datetime.date(2026, 10, 12)
>>> moved_due_date(date(2026, 10, 12), date(2026, 9, 30), date(2026, 10, 10), cal)
(3, datetime.date(2026, 10, 15))
"""

from __future__ import annotations

from datetime import date

from services.shared.working_days import WorkingDayCalendar

__all__ = ["due_date", "moved_due_date"]


def due_date(accepted_on: date, promised_working_days: int, calendar: WorkingDayCalendar) -> date:
    """The ``promised_working_days``-th working day after ``accepted_on`` (0: the same day if
    it is a working day, else the next one)."""
    return calendar.add_working_days(accepted_on, promised_working_days)


def moved_due_date(
    due: date, stopped_on: date, restarted_on: date, calendar: WorkingDayCalendar
) -> tuple[int, date]:
    """``(stopped_working_days, new_due)`` for a clock stopped on ``stopped_on`` and
    restarted on ``restarted_on``: the due date moves by the working days in between."""
    stopped = calendar.working_days_between(stopped_on, restarted_on)
    return stopped, (calendar.add_working_days(due, stopped) if stopped else due)
