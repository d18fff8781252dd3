"""节假日安排: the official holiday schedule of one year, recorded by platform operators.

One :class:`HolidaySchedule` per year lives in the platform log (tenant ``platform``). Its
events carry the whole schedule, so the latest event of a year is the schedule in force; a
corrected notice is recorded as a new event (``HolidayScheduleReplaced``), the earlier one
stays in the history.

What a schedule may hold (the State Council's notice, 国务院办公厅关于部分节假日安排的通知):

- ``rest_days``: every day off the notice lists (法定节假日 and bridging days, 调休放假), on
  any day of the week — a notice gives whole periods, weekends included (listing a weekend
  changes nothing); at least one, at most :data:`MAX_REST_DAYS`;
- ``working_days``: the make-up working days (调休上班), each a Saturday or a Sunday (a
  weekday works anyway); at most :data:`MAX_WORKING_DAYS`;
- no day in both lists, every day inside the year, the year in :data:`YEARS`;
- ``notice``: the notice's document number and/or title, 1 to :data:`MAX_NOTICE` characters.

>>> from datetime import UTC
>>> s = HolidaySchedule.record(2031, ["2031-01-01"], ["2031-01-04"], "国办发明电〔2030〕1号",
...     "op", now=datetime(2030, 11, 1, tzinfo=UTC))
>>> s.schedule().is_working_day(date(2031, 1, 4)), s.id == HolidaySchedule.create_id(2031)
(True, True)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from services.holidays.errors import HolidayScheduleInvalidError, HolidayScheduleUnchangedError
from services.shared.ids import PLATFORM_LOG, stable_id
from services.shared.values import parse_date
from services.shared.working_days import SATURDAY, YearSchedule

__all__ = [
    "MAX_NOTICE",
    "MAX_REST_DAYS",
    "MAX_WORKING_DAYS",
    "YEARS",
    "HolidaySchedule",
    "checked_days",
]

YEARS = range(2000, 2101)
"""The years a schedule can be recorded for."""
MAX_REST_DAYS = 60
"""Far above any notice so far (2025: 13 statutory days, with weekends and bridging ~30)."""
MAX_WORKING_DAYS = 20
MAX_NOTICE = 200


def _parse(days: Iterable[str | date], year: int, what: str) -> list[date]:
    parsed: set[date] = set()
    for raw in days:
        day = (
            raw
            if isinstance(raw, date)
            else parse_date(raw, f"each of the {what}", error=HolidayScheduleInvalidError)
        )
        if day.year != year:
            raise HolidayScheduleInvalidError(f"{what}: {day} is not in {year}")
        parsed.add(day)
    return sorted(parsed)


def checked_days(
    year: int, rest_days: Iterable[str | date], working_days: Iterable[str | date]
) -> tuple[list[str], list[str]]:
    """The rest days and make-up working days as sorted ISO dates, duplicates dropped, or
    :class:`~services.holidays.errors.HolidayScheduleInvalidError`.

    >>> checked_days(2031, ["2031-01-01", "2031-01-01"], [])
    (['2031-01-01'], [])
    >>> checked_days(2031, ["2031-01-01"], ["2031-01-06"])
    Traceback (most recent call last):
    ...
    services.holidays.errors.HolidayScheduleInvalidError: make-up working day 2031-01-06 is a Monday: only a Saturday or a Sunday can be one
    """  # noqa: E501
    if isinstance(year, bool) or not isinstance(year, int) or year not in YEARS:
        raise HolidayScheduleInvalidError(
            f"year {year!r}: schedules are recorded for {YEARS.start}-{YEARS.stop - 1}"
        )
    rest = _parse(rest_days, year, "rest days")
    work = _parse(working_days, year, "make-up working days")
    if not rest or len(rest) > MAX_REST_DAYS:
        raise HolidayScheduleInvalidError(
            f"a schedule lists 1 to {MAX_REST_DAYS} rest days, not {len(rest)}"
        )
    if len(work) > MAX_WORKING_DAYS:
        raise HolidayScheduleInvalidError(
            f"a schedule lists at most {MAX_WORKING_DAYS} make-up working days"
        )
    if both := sorted(set(rest) & set(work)):
        raise HolidayScheduleInvalidError(
            f"{', '.join(map(str, both))}: both a rest day and a make-up working day"
        )
    for day in work:
        if day.weekday() < SATURDAY:
            raise HolidayScheduleInvalidError(
                f"make-up working day {day} is a {day.strftime('%A')}: only a Saturday or a "
                "Sunday can be one"
            )
    return [d.isoformat() for d in rest], [d.isoformat() for d in work]


def _checked_notice(notice: str) -> str:
    text = " ".join(notice.split())
    if not text or len(text) > MAX_NOTICE:
        raise HolidayScheduleInvalidError(
            f"name the notice (document number or title), 1 to {MAX_NOTICE} characters"
        )
    return text


class HolidaySchedule(Aggregate):
    """The holiday schedule of one year (节假日安排), from the State Council's notice."""

    class Recorded(Aggregate.Created):
        """HolidayScheduleRecorded: a platform operator recorded a year's official schedule."""

        year: int
        rest_days: list[str]
        working_days: list[str]
        notice: str
        actor: str

    class Replaced(Aggregate.Event):
        """HolidayScheduleReplaced: the year's schedule was recorded again (a corrected or
        supplementary notice); it replaces the earlier one from here on."""

        rest_days: list[str]
        working_days: list[str]
        notice: str
        actor: str

    @event(Recorded)
    def __init__(
        self,
        year: int,
        rest_days: list[str],
        working_days: list[str],
        notice: str,
        actor: str,
        *,
        timestamp: datetime,
    ) -> None:
        self.year = year
        self._apply(*checked_days(year, rest_days, working_days), _checked_notice(notice))

    @classmethod
    def record(
        cls,
        year: int,
        rest_days: Iterable[str | date],
        working_days: Iterable[str | date],
        notice: str,
        actor: str,
        *,
        now: datetime,
    ) -> HolidaySchedule:
        """A year's first schedule, its days checked and recorded sorted, without repeats."""
        rest, work = checked_days(year, rest_days, working_days)
        return cls(year, rest, work, _checked_notice(notice), actor, timestamp=now)

    def _apply(self, rest_days: list[str], working_days: list[str], notice: str) -> None:
        self.rest_days = tuple(rest_days)
        self.working_days = tuple(working_days)
        self.notice = notice

    def replace(
        self,
        rest_days: Iterable[str | date],
        working_days: Iterable[str | date],
        notice: str,
        actor: str,
        *,
        now: datetime,
    ) -> None:
        """Record the year again; refused when days and notice are what is recorded."""
        rest, work = checked_days(self.year, rest_days, working_days)
        text = _checked_notice(notice)
        if (tuple(rest), tuple(work), text) == (self.rest_days, self.working_days, self.notice):
            raise HolidayScheduleUnchangedError(
                f"the schedule of {self.year} is already recorded from this notice"
            )
        self._replaced(rest, work, text, actor, timestamp=now)

    @event(Replaced)
    def _replaced(
        self,
        rest_days: list[str],
        working_days: list[str],
        notice: str,
        actor: str,
        *,
        timestamp: datetime,
    ) -> None:
        self._apply(rest_days, working_days, notice)

    def schedule(self) -> YearSchedule:
        """The schedule as the calendar takes it."""
        return YearSchedule(
            self.year,
            frozenset(map(date.fromisoformat, self.rest_days)),
            frozenset(map(date.fromisoformat, self.working_days)),
        )

    @staticmethod
    def create_id(year: int) -> UUID:
        """One aggregate per year: found by id, no read model needed."""
        return stable_id(PLATFORM_LOG, "holiday-schedule", str(year))
