"""Dates, times and cursors through a real server: a form other than the documented one is
``VALIDATION`` with the form to use, wherever the argument is (a variable, a literal, a
filter's field), and a forged cursor is ``VALIDATION`` whatever query it reaches."""

from __future__ import annotations

import base64

import pytest

from gateway.auth import Role
from tests.e2e.gateway.conftest import codes

CASES = "query($f: CaseRegisterFilter) { assistanceCases(filter: $f) { edges { cursor } } }"
TRAIL = """query($s: AuditTrailSearch, $a: String) {
  auditTrail(search: $s, after: $a) { edges { cursor } } }"""
CASES_LITERAL = 'query { assistanceCases(filter: {requestedTo: "DAY"}) { edges { cursor } } }'
HISTORY = """query($f: AuditHistoryFilterInput) {
  auditHistory(reason: "抽查", filter: $f) { nextAfter } }"""
WORKLIST = """query($a: String) {
  staffWorklist(badgeNumber: "S001") { items(after: $a) { edges { cursor } } } }"""
ONBOARD = """mutation { onboardStaff(input: {badgeNumber: "S001", name: "张三",
  role: WINDOW_STAFF, skills: []}) { badgeNumber } }"""


def _message(response) -> str:
    return response.json()["errors"][0]["message"]


@pytest.mark.parametrize("day", ["20280101", "2028-W01-1"])
def test_a_date_filter_in_another_form_is_refused_not_read_as_some_day(gql, token, hall, day):
    admin = token(Role.HALL_ADMIN, hall)
    r = gql(CASES, {"f": {"requestedFrom": day}}, token=admin)
    assert codes(r) == ["VALIDATION"]
    assert "YYYY-MM-DD" in _message(r)
    literal = gql(CASES_LITERAL.replace("DAY", day), token=admin)
    assert codes(literal) == ["VALIDATION"]
    assert "errors" not in gql(CASES, {"f": {"requestedFrom": "2028-01-01"}}, token=admin).json()


@pytest.mark.parametrize(
    "moment", ["2028-01-01", "20280101T0800", "2028-W01-1T08:00:00", "2028-01-01T08:00:00+23:59"]
)
def test_a_time_filter_in_another_form_is_refused(gql, token, hall, moment):
    r = gql(TRAIL, {"s": {"occurredFrom": moment}}, token=token(Role.AUDITOR, hall))
    assert codes(r) == ["VALIDATION"]


def test_the_audit_trail_still_reads_a_time_without_offset_as_beijing_time(gql, token, hall):
    r = gql(TRAIL, {"s": {"occurredFrom": "2028-01-01T08:00:00"}}, token=token(Role.AUDITOR, hall))
    assert "errors" not in r.json(), r.text


def test_the_audit_history_needs_the_zone_of_a_time(gql, token, hall):
    auditor = token(Role.AUDITOR, hall)
    naive = gql(HISTORY, {"f": {"since": "2028-01-01T08:00:00"}}, token=auditor)
    assert codes(naive) == ["VALIDATION"]
    assert "time zone" in _message(naive)
    zoned = gql(HISTORY, {"f": {"until": "2028-01-01T08:00:00+08:00"}}, token=auditor)
    assert "errors" not in zoned.json(), zoned.text


def _cursor(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def test_a_forged_position_beyond_a_bigint_is_a_validation_error(gql, token, hall):
    r = gql(TRAIL, {"a": _cursor(f"[{2**63}]")}, token=token(Role.AUDITOR, hall))
    assert codes(r) == ["VALIDATION"]


def test_a_forged_cursor_with_a_lone_surrogate_is_a_validation_error(gql, token, hall):
    """The cursor itself is ASCII (it passes the Unicode check); its JSON escapes are not."""
    admin = token(Role.HALL_ADMIN, hall)
    assert "errors" not in gql(ONBOARD, token=admin).json()
    r = gql(WORKLIST, {"a": _cursor('[1, 1, "\\ud800"]')}, token=admin)
    assert codes(r) == ["VALIDATION"]
