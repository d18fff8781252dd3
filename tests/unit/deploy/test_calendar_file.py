"""The schedule file of ``yanshen calendar record``: dates, ranges, refusals."""

from __future__ import annotations

import json
from datetime import date

import pytest

from deploy.cli_calendar import ScheduleFileError, expand_days, read_schedule_file


def test_reads_dates_and_inclusive_ranges(tmp_path):
    path = tmp_path / "2031.json"
    path.write_text(
        json.dumps(
            {
                "year": 2031,
                "notice": "国办发明电〔2030〕7号",
                "rest_days": ["2031-01-01", "2031-10-01..2031-10-07"],
                "working_days": ["2031-10-11"],
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    schedule = read_schedule_file(path)
    assert schedule.year == 2031
    assert len(schedule.rest_days) == 8
    assert schedule.rest_days[-1] == date(2031, 10, 7)
    assert schedule.working_days == [date(2031, 10, 11)]


def test_make_up_working_days_may_be_left_out(tmp_path):
    path = tmp_path / "s.json"
    path.write_text('{"year": 2031, "notice": "n", "rest_days": ["2031-01-01"]}')
    assert read_schedule_file(path).working_days == []


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        "[]",
        '{"year": "2031", "notice": "n", "rest_days": []}',
        '{"year": 2031, "rest_days": []}',
        '{"year": 2031, "notice": "n", "rest_days": ["2031-13-01"]}',
        '{"year": 2031, "notice": "n", "rest_days": ["20311001"]}',
        '{"year": 2031, "notice": "n", "rest_days": ["2031-W40-3"]}',
        '{"year": 2031, "notice": "n", "rest_days": ["2031-10-01..20311007"]}',
        '{"year": 2031, "notice": "n", "rest_days": ["2031-10-07..2031-10-01"]}',
        '{"year": 2031, "notice": "n", "rest_days": "2031-10-01"}',
        '{"year": 2031, "notice": "n", "rest_days": [], "holidays": []}',
    ],
)
def test_refuses_a_file_it_cannot_read(tmp_path, content):
    path = tmp_path / "s.json"
    path.write_text(content)
    with pytest.raises(ScheduleFileError):
        read_schedule_file(path)


def test_a_range_is_at_most_a_year():
    with pytest.raises(ScheduleFileError):
        expand_days(["2031-01-01..2032-12-31"], "rest_days")
