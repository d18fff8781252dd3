"""``yanshen calendar``: record a year from a file, show what decides each year."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from deploy.cli import app

runner = CliRunner()
YEAR = 2096  # 10-01 a Monday, 10-13 a Saturday


@pytest.fixture
def env(monkeypatch, database_url):
    monkeypatch.setenv("DATABASE_URL", database_url)


def _run(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, ["calendar", *args])
    assert result.exit_code == code, result.output
    return result.output


def _file(tmp_path, **changes) -> str:
    schedule = {
        "year": YEAR,
        "notice": "国务院办公厅关于2096年部分节假日安排的通知",
        "rest_days": [f"{YEAR}-01-01", f"{YEAR}-10-01..{YEAR}-10-07"],
        "working_days": [f"{YEAR}-10-13"],
        **changes,
    }
    path = tmp_path / "schedule.json"
    path.write_text(json.dumps(schedule, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_record_show_and_replace(env, tmp_path):
    out = _run("record", _file(tmp_path), "--actor", "op-1")
    assert f"{YEAR} recorded" in out
    assert "8 rest day(s), 1 make-up working day(s)" in out
    shown = _run("show", "--from-year", str(YEAR - 1), "--to-year", str(YEAR), "--days")
    lines = shown.splitlines()
    assert lines[1].startswith(f"{YEAR - 1}\tFALLBACK\t-")
    assert lines[2].startswith(f"{YEAR}\tRECORDED\t1\t")
    assert f"{YEAR}-10-07" in shown
    assert "replaced (revision 2)" in _run("record", _file(tmp_path, working_days=[]))
    assert f"{YEAR}\tRECORDED\t2\t" in _run(
        "show", "--from-year", str(YEAR), "--to-year", str(YEAR)
    )


def test_refusals(env, tmp_path):
    year = 2099  # 10-05 a Monday; recorded by no test
    days = {"year": year, "rest_days": [f"{year}-10-01"], "working_days": [f"{year}-10-05"]}
    refused = _run("record", _file(tmp_path, **days), code=1)
    assert "HolidayScheduleInvalidError" in refused
    assert "Monday" in refused
    unreadable = tmp_path / "bad.json"
    unreadable.write_text("{")
    assert "cannot read" in _run("record", str(unreadable), code=2)
    assert f"{year}\tFALLBACK" in _run("show", "--from-year", str(year), "--to-year", str(year))


def test_show_defaults_to_the_years_around_today_in_china(env, monkeypatch):
    from datetime import UTC, datetime

    import deploy.cli_calendar

    class NewYearInBeijing(datetime):
        @classmethod
        def now(cls, tz=None):  # 2027-01-01 01:00 in Beijing, still 2026 in UTC
            return datetime(2026, 12, 31, 17, 0, tzinfo=UTC).astimezone(tz)

    monkeypatch.setattr(deploy.cli_calendar, "datetime", NewYearInBeijing)
    years = [line.split("\t")[0] for line in _run("show").splitlines()[1:4]]
    assert years == ["2026", "2027", "2028"]


@pytest.mark.parametrize(("first", "last"), [("0", "1"), ("9999", "10000")])
def test_show_refuses_years_no_calendar_has(env, first, last):
    """Years outside 1-9999 are a usage error (exit 2), not a traceback."""
    out = _run("show", "--from-year", first, "--to-year", last, code=2)
    assert "Invalid value" in out
    assert "Traceback" not in out


def test_show_says_a_missing_schedule_once(env, monkeypatch, caplog):
    """The command prints the warning itself; the calendar read for it logs none (the
    operator saw it twice: once through Python's last-resort log handler)."""
    import services.holidays.recorded

    monkeypatch.setattr(
        services.holidays.recorded, "uncovered_next_year", lambda *_: "no schedule for 2999"
    )
    caplog.set_level("WARNING")
    output = _run("show")
    assert output.count("no schedule for 2999") == 1
    assert [r.getMessage() for r in caplog.records] == []
