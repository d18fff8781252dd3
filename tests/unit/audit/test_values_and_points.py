"""Audit building blocks in memory: reasons, points, filters, diffs, JSON views, signing keys."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime
from enum import Enum
from uuid import UUID

import pytest

from services.audit import (
    REDACTED,
    Accessor,
    HistoryFilter,
    Point,
    ReasonRequiredError,
    diff_states,
    require_reason,
)
from services.audit.signing import (
    SigningKeyError,
    load_signing_key,
    parse_private_key,
    public_key_b64,
)
from services.audit.values import aggregate_state, event_payload, jsonable, redact
from services.privacy import ERASED
from services.shared.errors import ValidationError
from services.staff import StaffMember


class Color(Enum):
    RED = "red"


def test_a_reason_is_required_and_bounded():
    assert require_reason("  年度审计 ") == "年度审计"
    for bad in ("", "   ", None, "x" * 501):
        with pytest.raises(ReasonRequiredError):
            require_reason(bad)
    with pytest.raises(ReasonRequiredError):
        Accessor(actor="au", role="auditor", reason="")


def test_a_point_is_a_position_or_an_aware_time():
    assert str(Point(position=5)) == "position 5"
    assert "2026-05-06" in str(Point(at=datetime(2026, 5, 6, tzinfo=UTC)))
    for bad in (
        {},
        {"position": 1, "at": datetime.now(UTC)},
        {"position": -1},
        {"at": datetime(2026, 5, 6)},
    ):
        with pytest.raises(ValidationError):
            Point(**bad)


def test_a_filter_describes_itself_and_its_sql():
    where = HistoryFilter(aggregate_id="r-1", event_type="staff.StaffOnboarded", actor="a")
    assert where.describe() == "aggregate_id=r-1, event_type=staff.StaffOnboarded, actor=a"
    sql, params = where.sql()
    assert "originator_id = %s" in sql
    assert "topic = ANY(%s)" in sql
    assert "'actor'" in sql
    assert params == ["r-1", ["services.staff.domain:StaffMember.Onboarded"], "a"]
    assert HistoryFilter().describe() == "all events"
    with pytest.raises(ValidationError, match="unknown event type"):
        HistoryFilter(event_type="nope").sql()
    assert HistoryFilter(event_type="x.y:Z.Happened").sql()[1] == [["x.y:Z.Happened"]]


def test_diffs_are_field_level_with_dotted_paths():
    before = {"name": "a", "policy": {"days": 5, "rated": True}, "gone": 1}
    after = {"name": "b", "policy": {"days": 7, "rated": True}, "new": [1]}
    changes = [(c.field, c.kind, c.before, c.after) for c in diff_states(before, after)]
    assert changes == [
        ("name", "CHANGED", "a", "b"),
        ("policy.days", "CHANGED", 5, 7),
        ("gone", "REMOVED", 1, None),
        ("new", "ADDED", None, [1]),
    ]
    assert diff_states(before, before) == []


def test_json_views_and_redaction():
    value = {"e": Color.RED, "id": UUID(int=1), "d": date(2026, 5, 6), "t": (1, 2)}
    assert jsonable(value) == {
        "e": "red",
        "id": "00000000-0000-0000-0000-000000000001",
        "d": "2026-05-06",
        "t": [1, 2],
    }
    assert redact({"a": "x", "b": "", "c": ERASED, "d": "y"}, ["a", "b", "c"]) == {
        "a": REDACTED,
        "b": "",
        "c": ERASED,
        "d": "y",
    }


def test_aggregate_and_event_views_redact_personal_fields_unless_asked():
    member = StaffMember(
        hall_id="demo",
        badge_number="S1",
        name="王芳",
        role="WINDOW_STAFF",
        skills=[],
        actor="admin",
        timestamp=datetime(2026, 3, 2, 1, tzinfo=UTC),
    )
    shown = aggregate_state(member, personal=True)
    assert (shown["name"], shown["version"], shown["badge_number"]) == ("王芳", 1, "S1")
    assert "pending_events" not in shown
    assert aggregate_state(member, personal=False)["name"] == REDACTED
    (event,) = member.collect_events()
    name, version, payload = event_payload(event, personal=False)
    assert (name, version, payload["name"]) == ("staff.StaffOnboarded", 1, REDACTED)
    assert event_payload(event, personal=True)[2]["name"] == "王芳"


def test_signing_keys_from_pem_or_base64_and_the_environment(tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    raw = key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public = public_key_b64(key)
    assert public_key_b64(parse_private_key(base64.b64encode(raw).decode())) == public
    assert public_key_b64(parse_private_key(pem)) == public
    (tmp_path / "k.pem").write_bytes(pem)
    env = {"YANSHEN_AUDIT_SIGNING_KEY_FILE": str(tmp_path / "k.pem")}
    assert public_key_b64(load_signing_key(env)) == public
    for bad in (
        {},
        {"YANSHEN_AUDIT_SIGNING_KEY": "not a key!"},
        {"YANSHEN_AUDIT_SIGNING_KEY_FILE": str(tmp_path / "missing")},
    ):
        with pytest.raises(SigningKeyError):
            load_signing_key(bad)
