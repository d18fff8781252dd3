"""``yanshen calendar``: record a year's official holiday schedule, show what decides each year.

The schedule file is JSON (see ``docs/working-days.md``)::

    {"year": 2027,
     "notice": "国办发明电〔2026〕7号 国务院办公厅关于2027年部分节假日安排的通知",
     "rest_days": ["2027-01-01", "2027-02-06..2027-02-13"],
     "working_days": ["2027-02-14"]}

A ``FIRST..LAST`` entry stands for every day from ``FIRST`` to ``LAST``, both included, as
the notice writes its periods (``2月6日至13日放假调休``).
"""

from __future__ import annotations

import getpass
import json
from dataclasses import dataclass
from datetime import MAXYEAR, MINYEAR, UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from deploy.cli_partners import _platform
from services.shared.errors import ValidationError
from services.shared.values import parse_date

__all__ = ["ScheduleFile", "calendar_app", "expand_days", "read_schedule_file"]

calendar_app = typer.Typer(
    help="The working-day calendar: record the State Council's holiday notice of a year.",
    no_args_is_help=True,
)
console = Console(stderr=True)

MAX_RANGE_DAYS = 366


class ScheduleFileError(ValueError):
    """The schedule file is not what ``docs/working-days.md`` describes."""


@dataclass(frozen=True)
class ScheduleFile:
    year: int
    notice: str
    rest_days: list[date]
    working_days: list[date]


def expand_days(entries: Any, what: str) -> list[date]:
    """ISO dates and ``FIRST..LAST`` ranges (both included) as a list of dates.

    >>> expand_days(["2027-10-01..2027-10-03", "2027-10-05"], "rest_days")
    [datetime.date(2027, 10, 1), datetime.date(2027, 10, 2), datetime.date(2027, 10, 3), datetime.date(2027, 10, 5)]
    """  # noqa: E501
    if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
        raise ScheduleFileError(f"{what}: a list of dates (YYYY-MM-DD or FIRST..LAST)")
    days: list[date] = []
    for entry in entries:
        first, sep, last = entry.strip().partition("..")
        try:  # YYYY-MM-DD only: 20271001 or 2027-W40-5 would be some day, not the notice's
            start = parse_date(first.strip(), what)
            end = parse_date(last.strip(), what) if sep else start
        except ValidationError:
            raise ScheduleFileError(
                f"{what}: {entry!r} is no date or range of dates (YYYY-MM-DD or FIRST..LAST)"
            ) from None
        if not 0 <= (end - start).days < MAX_RANGE_DAYS:
            raise ScheduleFileError(f"{what}: {entry!r} is no range of dates in order")
        days += [start + timedelta(days=n) for n in range((end - start).days + 1)]
    return days


def read_schedule_file(path: Path) -> ScheduleFile:
    """The schedule in ``path`` (the domain checks the days themselves when recording)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ScheduleFileError(f"cannot read {path}: {error}") from None
    if not isinstance(raw, dict) or set(raw) - {"year", "notice", "rest_days", "working_days"}:
        raise ScheduleFileError("expected an object of year, notice, rest_days, working_days")
    year, notice = raw.get("year"), raw.get("notice")
    if not isinstance(year, int) or isinstance(year, bool) or not isinstance(notice, str):
        raise ScheduleFileError("year (a number) and notice (text) are required")
    return ScheduleFile(
        year=year,
        notice=notice,
        rest_days=expand_days(raw.get("rest_days"), "rest_days"),
        working_days=expand_days(raw.get("working_days", []), "working_days"),
    )


@calendar_app.command()
def record(
    file: Annotated[Path, typer.Argument(help="The schedule as JSON (docs/working-days.md).")],
    actor: Annotated[str, typer.Option(help="Who does this (recorded in the event).")] = "",
) -> None:
    """Record a year's official holiday schedule, or replace it (a corrected notice).

    Every hall's time limits computed from then on follow it; deadlines already recorded
    stay. Exit 1 when refused (nothing is recorded), 2 when the file is unreadable."""
    from services.holidays import HolidaySchedules
    from services.shared.ids import PLATFORM_LOG

    try:
        schedule = read_schedule_file(file)
    except ScheduleFileError as error:
        console.print(str(error), style="red", markup=False)
        raise typer.Exit(2) from None
    with _platform() as platform:
        app = platform.hall_app(HolidaySchedules, PLATFORM_LOG)
        recorded, position = app.record_schedule(
            schedule.year,
            schedule.rest_days,
            schedule.working_days,
            schedule.notice,
            actor or f"cli:{getpass.getuser()}",
        )
    what = "recorded" if recorded.version == 1 else f"replaced (revision {recorded.version})"
    typer.echo(
        f"{schedule.year} {what} at platform log position {position}: "
        f"{len(recorded.rest_days)} rest day(s), {len(recorded.working_days)} make-up "
        f"working day(s), from {recorded.notice}"
    )


@calendar_app.command()
def show(
    from_year: Annotated[
        int | None,
        typer.Option(min=MINYEAR, max=MAXYEAR, help="First year (default: last year)."),
    ] = None,
    to_year: Annotated[
        int | None,
        typer.Option(min=MINYEAR, max=MAXYEAR, help="Last year (default: next year)."),
    ] = None,
    days: Annotated[bool, typer.Option(help="List the recorded days too.")] = False,
) -> None:
    """Which schedule decides each year: RECORDED, LIBRARY (chinese-calendar) or FALLBACK
    (weekends and statutory holidays only). Warns when next year has no official one."""
    from services.shared.working_days import local_date

    this_year = local_date(datetime.now(UTC)).year  # the year in China
    first = this_year - 1 if from_year is None else from_year
    last = this_year + 1 if to_year is None else to_year
    with _platform() as platform:
        calendar, records = platform.calendars.snapshot()
        warning = platform.calendars.warning(calendar)
    typer.echo("year\tsource\trevision\tposition\trest_days\tworking_days\tnotice")
    for year in range(first, last + 1):
        r = records.get(year)
        source = calendar.source(year).value
        if r is None:
            typer.echo(f"{year}\t{source}\t-\t-\t-\t-\t-")
            continue
        typer.echo(
            f"{year}\t{source}\t{r.revision}\t{r.position}\t{len(r.rest_days)}\t"
            f"{len(r.working_days)}\t{r.notice}"
        )
        if days:
            typer.echo(f"\trest: {' '.join(d.isoformat() for d in r.rest_days)}")
            typer.echo(f"\twork: {' '.join(d.isoformat() for d in r.working_days) or '-'}")
    if warning:
        console.print(f"warning: {warning}", style="yellow", markup=False)
