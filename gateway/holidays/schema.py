"""GraphQL of the holidays context: platform operators record a year's official schedule;
operators and hall staff read what decides each year's working days."""

from __future__ import annotations

from datetime import MAXYEAR, MINYEAR

import strawberry

from gateway.auth import Role
from gateway.context import Info, run_sync
from gateway.holidays.types import (
    CalendarYearType,
    HolidayScheduleType,
    RecordHolidayScheduleInput,
    ScheduleSourceEnum,
    WorkingDayCalendarType,
)
from gateway.security import HALL_STAFF, allow, platform_wide
from services.holidays import HolidaySchedules
from services.shared import ValidationError
from services.shared.ids import PLATFORM_LOG

__all__ = ["HolidayMutations", "HolidayQueries"]

MAX_YEARS = 20


@strawberry.type
class HolidayMutations:
    @allow(Role.PLATFORM_OPERATOR)
    @strawberry.mutation(
        description="Record the official holiday schedule of a year, or replace it with a "
        "corrected notice (platform operators, with a token bound to no hall). Every hall's "
        "time limits computed from then on follow it; deadlines already recorded stay."
    )
    async def record_holiday_schedule(
        self, info: Info, input: RecordHolidayScheduleInput
    ) -> HolidayScheduleType:
        principal = info.context.principal
        principal.require(Role.PLATFORM_OPERATOR)
        platform_wide(info, "recording the holiday schedule")
        app = info.context.platform.hall_app(HolidaySchedules, PLATFORM_LOG)
        schedule, position = await run_sync(
            app.record_schedule,
            input.year,
            input.rest_days,
            input.working_days,
            input.notice,
            principal.subject,
        )
        return HolidayScheduleType.from_aggregate(schedule, principal.subject, position)


@strawberry.type
class HolidayQueries:
    @allow(Role.PLATFORM_OPERATOR, *HALL_STAFF)
    @strawberry.field(
        description="What decides the working days of each year from fromYear to toYear "
        f"(at most {MAX_YEARS} years): a recorded schedule, the library or the fallback "
        "(platform operators, hall staff)."
    )
    async def working_day_calendar(
        self, info: Info, from_year: int, to_year: int
    ) -> WorkingDayCalendarType:
        if not 0 <= to_year - from_year < MAX_YEARS or from_year < MINYEAR or to_year > MAXYEAR:
            raise ValidationError(
                f"give 1 to {MAX_YEARS} years from {MINYEAR} to {MAXYEAR}, fromYear <= toYear"
            )
        calendars = info.context.platform.calendars
        calendar, records = await run_sync(calendars.snapshot)
        years = []
        for year in range(from_year, to_year + 1):
            record = records.get(year)
            years.append(
                CalendarYearType(
                    year=year,
                    source=ScheduleSourceEnum(calendar.source(year).value),
                    schedule=HolidayScheduleType.from_record(record) if record else None,
                )
            )
        return WorkingDayCalendarType(years=years, warning=calendars.warning(calendar))
