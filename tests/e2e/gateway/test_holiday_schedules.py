"""Recording the official holiday schedule over GraphQL: platform operators only (with a
token bound to no hall); operators and hall staff read what decides each year."""

from __future__ import annotations

import pytest

from gateway.auth import Role
from services.holidays.recorded import recorded_schedules
from tests.e2e.gateway.conftest import codes

RECORD = """mutation($input: RecordHolidayScheduleInput!) {
  recordHolidaySchedule(input: $input) {
    year restDays workingDays notice recordedBy revision position
  } }"""
CALENDAR = """query($from: Int!, $to: Int!) {
  workingDayCalendar(fromYear: $from, toYear: $to) {
    years { year source schedule { restDays workingDays notice revision } } warning
  } }"""
YEAR = 2097  # 10-01 a Tuesday, 10-12 a Saturday
SCHEDULE = {
    "year": YEAR,
    "restDays": [f"{YEAR}-10-0{d}" for d in range(1, 8)],
    "workingDays": [f"{YEAR}-10-12"],
    "notice": "国办发明电〔2096〕7号",
}


def test_an_operator_records_a_year_and_everyone_in_a_hall_reads_it(gql, token, platform):
    r = gql(RECORD, {"input": SCHEDULE}, token=token(Role.PLATFORM_OPERATOR, subject="op-9"))
    body = r.json()
    assert "errors" not in body, body
    recorded = body["data"]["recordHolidaySchedule"]
    assert recorded["recordedBy"] == "op-9"
    assert recorded["revision"] == 1
    assert recorded["workingDays"] == [f"{YEAR}-10-12"]

    again = gql(RECORD, {"input": SCHEDULE}, token=token(Role.PLATFORM_OPERATOR))
    assert codes(again) == ["VALIDATION"]  # nothing changed: refused

    for role in (Role.PLATFORM_OPERATOR, Role.STAFF):
        r = gql(CALENDAR, {"from": YEAR, "to": YEAR + 1}, token=token(role, "demo"))
        years = r.json()["data"]["workingDayCalendar"]["years"]
        assert [y["source"] for y in years] == ["RECORDED", "FALLBACK"]  # 2098: never recorded
        assert years[0]["schedule"]["notice"] == SCHEDULE["notice"]
        assert years[1]["schedule"] is None


@pytest.mark.parametrize(
    ("role", "tenant", "code"),
    [
        (Role.HALL_ADMIN, "demo", "FORBIDDEN"),
        (Role.STAFF, "demo", "FORBIDDEN"),
        (Role.PARTNER_ADMIN, None, "FORBIDDEN"),
        (Role.PLATFORM_OPERATOR, "demo", "FORBIDDEN"),  # bound to a hall
        (None, None, "UNAUTHENTICATED"),
    ],
)
def test_only_an_operator_unbound_to_a_hall_records(gql, token, platform, role, tenant, code):
    head, _ = recorded_schedules(platform.app_pool)
    schedule = {**SCHEDULE, "year": YEAR + 1, "restDays": [f"{YEAR + 1}-01-01"]}
    r = gql(RECORD, {"input": schedule}, token=token(role, tenant) if role else None)
    assert codes(r) == [code]
    assert recorded_schedules(platform.app_pool)[0] == head


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"workingDays": [f"{YEAR}-10-14"]}, "Monday"),
        ({"restDays": [f"{YEAR + 1}-01-01"]}, "not in"),
        ({"notice": ""}, "notice"),
    ],
)
def test_a_refused_schedule_has_a_clear_code_and_records_nothing(
    gql, token, platform, change, message
):
    head, _ = recorded_schedules(platform.app_pool)
    r = gql(
        RECORD, {"input": {**SCHEDULE, "year": YEAR, **change}}, token=token(Role.PLATFORM_OPERATOR)
    )
    assert codes(r) == ["VALIDATION"]
    assert message in r.json()["errors"][0]["message"]
    assert recorded_schedules(platform.app_pool)[0] == head


def test_the_calendar_query_is_bounded(gql, token):
    r = gql(CALENDAR, {"from": 2000, "to": 2100}, token=token(Role.PLATFORM_OPERATOR))
    assert codes(r) == ["VALIDATION"]
    r = gql(CALENDAR, {"from": 2027, "to": 2027}, token=token(Role.APPLICANT, "demo"))
    assert codes(r) == ["FORBIDDEN"]


@pytest.mark.parametrize(("first", "last"), [(9999, 10000), (10000, 10001), (0, 1)])
def test_years_no_calendar_has_are_refused_with_a_clear_code(gql, token, first, last):
    r = gql(CALENDAR, {"from": first, "to": last}, token=token(Role.PLATFORM_OPERATOR))
    assert codes(r) == ["VALIDATION"], r.json()
