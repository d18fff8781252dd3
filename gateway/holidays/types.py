"""GraphQL types of the holidays context: recorded schedules and the calendar's coverage."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum

import strawberry

from gateway.security import INHERITED, allow
from services.holidays import HolidaySchedule, ScheduleRecord

__all__ = [
    "CalendarYearType",
    "HolidayScheduleType",
    "RecordHolidayScheduleInput",
    "ScheduleSourceEnum",
    "WorkingDayCalendarType",
]


@strawberry.enum(name="ScheduleSource", description="What decides the working days of a year.")
class ScheduleSourceEnum(Enum):
    RECORDED = strawberry.enum_value(
        "RECORDED", description="A schedule platform operators recorded from the notice."
    )
    LIBRARY = strawberry.enum_value(
        "LIBRARY", description="The chinese-calendar library's copy of the notice."
    )
    FALLBACK = strawberry.enum_value(
        "FALLBACK",
        description="No official schedule: weekends and statutory holidays only, without "
        "bridging days or make-up working days. Record the year's notice.",
    )


@strawberry.input(description="A year's official holiday schedule (platform operators).")
class RecordHolidayScheduleInput:
    year: int
    rest_days: list[date] = strawberry.field(
        description="Every day off the notice lists: statutory holidays and bridging days "
        "(调休放假), weekends within a holiday period may be listed too. 1 to 60 days."
    )
    working_days: list[date] = strawberry.field(
        default_factory=list,
        description="Make-up working days (调休上班): Saturdays or Sundays, at most 20.",
    )
    notice: str = strawberry.field(
        description="The notice: document number and/or title (1-200 characters)."
    )


@allow(INHERITED)
@strawberry.type(
    name="HolidaySchedule",
    description="节假日安排: a year's official holiday schedule as recorded; it decides every "
    "day of the year (listed days as listed, otherwise weekends off).",
)
class HolidayScheduleType:
    year: int
    rest_days: list[date]
    working_days: list[date]
    notice: str
    recorded_by: str
    recorded_at: datetime
    revision: int = strawberry.field(description="1, then one more per replacement.")
    position: int = strawberry.field(description="Position of the event in the platform log.")

    @classmethod
    def from_record(cls, r: ScheduleRecord) -> HolidayScheduleType:
        return cls(
            year=r.year,
            rest_days=list(r.rest_days),
            working_days=list(r.working_days),
            notice=r.notice,
            recorded_by=r.actor,
            recorded_at=r.recorded_at,
            revision=r.revision,
            position=r.position,
        )

    @classmethod
    def from_aggregate(cls, s: HolidaySchedule, actor: str, position: int) -> HolidayScheduleType:
        return cls(
            year=s.year,
            rest_days=[date.fromisoformat(d) for d in s.rest_days],
            working_days=[date.fromisoformat(d) for d in s.working_days],
            notice=s.notice,
            recorded_by=actor,
            recorded_at=s.modified_on,
            revision=s.version,
            position=position,
        )


@allow(INHERITED)
@strawberry.type(name="CalendarYear", description="What decides the working days of a year.")
class CalendarYearType:
    year: int
    source: ScheduleSourceEnum
    schedule: HolidayScheduleType | None = strawberry.field(
        description="The recorded schedule (source RECORDED), else null."
    )


@allow(INHERITED)
@strawberry.type(
    name="WorkingDayCalendar",
    description="The working-day calendar every hall's time limits are counted in.",
)
class WorkingDayCalendarType:
    years: list[CalendarYearType]
    warning: str | None = strawberry.field(
        description="Set when this year, or next year within 60 days of its start, has no "
        "official schedule (source FALLBACK)."
    )
