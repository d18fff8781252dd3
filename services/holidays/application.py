"""The application service of the holidays context: record a year's schedule (operators)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from services.holidays.domain import HolidaySchedule
from services.holidays.errors import HolidayScheduleNotFoundError
from services.shared.application import HallApplication
from services.shared.errors import ConflictError
from services.shared.ids import PLATFORM_LOG

__all__ = ["HolidaySchedules"]


class HolidaySchedules(HallApplication):
    """The platform's holiday schedules (节假日安排); bind it to :data:`PLATFORM_LOG`."""

    def record_schedule(
        self,
        year: int,
        rest_days: Iterable[str | date],
        working_days: Iterable[str | date],
        notice: str,
        actor: str,
    ) -> tuple[HolidaySchedule, int]:
        """Record ``year``'s schedule, or replace the one recorded (a corrected notice).

        Returns the schedule and its event's position in the platform log; every hall's
        deadlines computed from then on follow it.
        """
        self._check_log()
        schedule = self.get_or_none(HolidaySchedule.create_id(year))
        if schedule is None:
            schedule = HolidaySchedule.record(
                year, rest_days, working_days, notice, actor, now=self.clock()
            )
        else:
            assert isinstance(schedule, HolidaySchedule)
            schedule.replace(rest_days, working_days, notice, actor, now=self.clock())
        conflict = ConflictError(f"the schedule of {year} was recorded meanwhile: look again")
        return schedule, self.save_or_conflict(schedule, conflict=conflict)

    def get_schedule(self, year: int) -> HolidaySchedule:
        self._check_log()
        schedule = self.get_or_none(HolidaySchedule.create_id(year))
        if schedule is None:
            raise HolidayScheduleNotFoundError(f"no schedule is recorded for {year}")
        assert isinstance(schedule, HolidaySchedule)
        return schedule

    def _check_log(self) -> None:
        if self.hall_id != PLATFORM_LOG:
            raise RuntimeError(f"HolidaySchedules belongs to the {PLATFORM_LOG!r} log")
