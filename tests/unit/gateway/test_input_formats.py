"""Dates, times and cursors a client sends: one written form each, anything else
``VALIDATION`` (never another day read silently, never ``INTERNAL``)."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
import strawberry
import typer

from deploy.cli_audit import _point
from gateway.errors import InputError, classify
from gateway.relay import decode_cursor, encode_cursor
from gateway.schema import GatewaySchema
from services.audit import HistoryFilter
from services.shared.errors import ValidationError
from services.shared.values import parse_date, parse_datetime


@strawberry.type
class Echo:
    @strawberry.field
    def day(self, value: date) -> date:
        return value

    @strawberry.field
    def moment(self, value: datetime) -> datetime:
        return value


SCHEMA = GatewaySchema(query=Echo)

NOT_DATES = [
    "20280101",  # basic format
    "2028-W01-1",  # a week date: 2028-01-03
    "2028-W01",
    "2028-001",  # an ordinal date
    "2028-01-01T00:00:00",
    " 2028-01-01",
    "2028-01-01\n",
    "２０２８-01-01",  # full-width digits
    "2028-1-1",
    "2028-02-30",
    "",
]
NOT_TIMES = [
    "2028-01-01",  # a date alone
    "20280101T080000+0800",  # basic format
    "2028-01-01T08:00+08:00",  # no seconds
    "2028-01-01T08+08:00",
    "2028-W01-1T08:00:00+08:00",
    "2028-01-01 08:00:00+08:00",
    "2028-01-01T08:00:00+0800",
    "2028-01-01T08:00:00+08",
    "2028-01-01T08:00:00+08:00:30",
    "2028-01-01T08:00:00+23:59",  # no zone is that far from UTC
    "2028-01-01T08:00:00+08:60",  # not +09:00: an offset's minutes are 00-59
    "2028-01-01T08:00:00-05:99",
    "2028-01-01T24:00:00Z",
    "2028-01-01T08:00:00,5Z",
    "2028-01-01T08:00:00.Z",
    "2028-01-01T08:00:001Z",  # digits after the seconds belong to a fraction, after its dot
    "2028-01-01T08:00:00.5zz",
]


@pytest.mark.parametrize("value", NOT_DATES)
def test_a_date_is_written_yyyy_mm_dd_and_nothing_else(value):
    with pytest.raises(ValidationError):
        parse_date(value, "the due date")
    result = SCHEMA.execute_sync(
        "query($v: Date!) { day(value: $v) }", variable_values={"v": value}
    )
    assert result.data is None
    assert result.errors is not None
    assert [classify(e)[0] for e in result.errors] == ["VALIDATION"]


@pytest.mark.parametrize("value", NOT_TIMES)
def test_a_time_is_written_as_rfc_3339_and_nothing_else(value):
    with pytest.raises(ValidationError):
        parse_datetime(value, "since")
    result = SCHEMA.execute_sync(
        "query($v: DateTime!) { moment(value: $v) }", variable_values={"v": value}
    )
    assert result.data is None
    assert result.errors is not None
    assert [classify(e)[0] for e in result.errors] == ["VALIDATION"]


def test_a_literal_in_the_query_is_held_to_the_same_form():
    result = SCHEMA.execute_sync('query { day(value: "2028-W01-1") }')
    assert result.errors is not None
    assert [classify(e)[0] for e in result.errors] == ["VALIDATION"]
    assert SCHEMA.execute_sync('query { day(value: "2028-01-03") }').data == {"day": "2028-01-03"}


@pytest.mark.parametrize("value", [20280101, 1.5, True, ["2028-01-01"], {"y": 2028}])
def test_a_date_that_is_no_string_is_refused(value):
    result = SCHEMA.execute_sync(
        "query($v: Date!) { day(value: $v) }", variable_values={"v": value}
    )
    assert result.errors is not None
    assert [classify(e)[0] for e in result.errors] == ["VALIDATION"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2028-01-01T08:00:00+08:00", datetime(2028, 1, 1, tzinfo=UTC)),
        ("2028-01-01T00:00:00Z", datetime(2028, 1, 1, tzinfo=UTC)),
        ("2027-12-31T14:00:00-10:00", datetime(2028, 1, 1, tzinfo=UTC)),
        ("2028-01-01T00:00:00.250+00:00", datetime(2028, 1, 1, 0, 0, 0, 250_000, tzinfo=UTC)),
        ("2028-01-01T14:00:00+14:00", datetime(2028, 1, 1, tzinfo=UTC)),
        # RFC 3339 section 5.6, NOTE: "T" and "Z" may alternatively be lower case.
        ("2028-01-01t00:00:00z", datetime(2028, 1, 1, tzinfo=UTC)),
        ("2028-01-01t08:00:00+08:00", datetime(2028, 1, 1, tzinfo=UTC)),
        ("2028-01-01T00:00:00.5z", datetime(2028, 1, 1, 0, 0, 0, 500_000, tzinfo=UTC)),
        # Any number of fraction digits (RFC 3339): kept to the microsecond, the rest cut.
        ("2028-01-01T00:00:00.1234567Z", datetime(2028, 1, 1, 0, 0, 0, 123_456, tzinfo=UTC)),
        ("2028-01-01T00:00:00.999999999Z", datetime(2028, 1, 1, 0, 0, 0, 999_999, tzinfo=UTC)),
    ],
)
def test_times_with_their_offset_are_read_as_written(text, expected):
    assert parse_datetime(text, "since") == expected
    result = SCHEMA.execute_sync(
        "query($v: DateTime!) { moment(value: $v) }", variable_values={"v": text}
    )
    assert result.errors is None
    assert datetime.fromisoformat(result.data["moment"]) == expected
    assert _point(text, "--at").at == expected  # the audit CLI reads it the same


@pytest.mark.parametrize("value", NOT_TIMES)
def test_the_audit_cli_refuses_what_the_graphql_scalar_refuses(value):
    with pytest.raises(typer.BadParameter):
        _point(value, "--at")


def test_answers_keep_their_iso_form():
    moment = "2028-01-01T08:00:00+08:00"
    result = SCHEMA.execute_sync(
        "query($d: Date!, $m: DateTime!) { day(value: $d) moment(value: $m) }",
        variable_values={"d": "2028-01-03", "m": moment},
    )
    assert result.data == {"day": "2028-01-03", "moment": moment}


def test_a_time_without_an_offset_stays_naive_for_the_field_to_decide():
    assert parse_datetime("2028-01-01T08:00:00", "occurredFrom").tzinfo is None


@pytest.mark.parametrize("field", ["since", "until"])
def test_the_audit_history_refuses_a_time_without_its_zone(field):
    """Compared with the commit time, a naive time was read in the database server's zone."""
    with pytest.raises(ValidationError, match="time zone"):
        HistoryFilter(**{field: datetime(2028, 1, 1, 8)})
    beijing = timezone(timedelta(hours=8))
    assert HistoryFilter(**{field: datetime(2028, 1, 1, 8, tzinfo=beijing)})


def _cursor(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "raw",
    [
        f"[{2**63}]",  # beyond a bigint: the position query failed (INTERNAL)
        f"[{-(2**63) - 1}]",
        '[1, 1, "\\ud800"]',  # a lone surrogate: the worklist query failed (INTERNAL)
        '["\\u0000"]',
        "[NaN]",
        "[1, Infinity]",
        "[1e400]",
    ],
)
def test_a_cursor_with_a_part_no_key_can_hold_is_refused(raw):
    with pytest.raises(InputError, match="invalid cursor"):
        decode_cursor(_cursor(raw))


def test_cursors_of_real_keys_decode_to_their_keys():
    for key in [(2**63 - 1,), (1, 7, "d7f1c7e2-0000-4000-8000-000000000001"), ("窗口 1", 2.5)]:
        assert decode_cursor(encode_cursor(key)) == key
    assert decode_cursor(_cursor("[true, null]")) == (True, None)
