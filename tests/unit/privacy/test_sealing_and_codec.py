"""Sealing values, the personal-field specs from the contracts, and the codec in memory."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from cryptography.exceptions import InvalidTag
from eventsourcing.persistence import Notification, StoredEvent

from services.privacy import CODEC, ERASED, PERSONAL_SPECS, personal_spec
from services.privacy.sealing import (
    associated_data,
    is_sealed,
    new_data_key,
    open_value,
    seal_value,
)

RECEIVED = "services.complaints.domain:Complaint.Received"
PUBLISHED = "services.catalog.domain:ServiceItem.Published"


class FakeKeys:
    """The key statements of ``services.privacy.keys``, answered from memory."""

    def __init__(self) -> None:
        self.keys: dict[uuid.UUID, tuple[str, bytes | None]] = {}
        self.records: dict[str, str] = {}
        self.calls = 0

    def active(self, subject: str) -> uuid.UUID | None:
        return next((k for k, (s, d) in self.keys.items() if s == subject and d), None)

    def destroy(self, subject: str) -> None:
        for key_id, (s, _) in list(self.keys.items()):
            if s == subject:
                self.keys[key_id] = (s, None)

    def __call__(self, sql: str, params: Any, *, before: Any = (), rows: bool = True) -> list:
        self.calls += 1
        if "yanshen_subject_keys" in sql:
            _, aggregates, subjects, candidates = params
            out = []
            for i, (aggregate, named) in enumerate(zip(aggregates, subjects, strict=True)):
                inherited = self.records.get(aggregate) if named is None else named
                subject = inherited or f"record:{aggregate}"
                self.records.setdefault(aggregate, subject)
                key_id = self.active(subject)
                if key_id is None:
                    key_id = uuid.uuid4()
                    self.keys[key_id] = (subject, candidates[i])
                out.append((i + 1, subject, key_id, self.keys[key_id][1]))
            return out
        if "FROM subject_keys" in sql:
            return [(k, self.keys[k][1]) for k in params[1] if k in self.keys]
        if "FROM subject_records" in sql:
            subject = self.records.get(params[1])
            return [(subject,)] if subject else []
        raise AssertionError(sql)


def _complaint_state(**overrides: Any) -> bytes:
    state = {
        "hall_id": "demo",
        "applicant_id": "a-1",
        "complainant_name": "张三",
        "complainant_phone": "13800000000",
        "facts": "排队太久",
        "anonymous": False,
        "timestamp": {"_type_": "datetime_iso", "_data_": "2026-01-01T00:00:00+00:00"},
        **overrides,
    }
    return json.dumps(state, ensure_ascii=False, separators=(",", ":")).encode()


def _event(topic: str = RECEIVED, state: bytes | None = None, record: str = "r-1") -> StoredEvent:
    return StoredEvent(record, 1, topic, state if state is not None else _complaint_state())


def test_a_sealed_value_opens_only_in_its_place():
    key, key_id = new_data_key(), uuid.uuid4()
    here = associated_data("demo", "r-1", 1, "facts")
    sealed = seal_value(key, key_id, {"nested": ["值"]}, here)
    assert is_sealed(sealed)
    assert open_value(key, sealed, here) == {"nested": ["值"]}
    with pytest.raises(InvalidTag):
        open_value(key, sealed, associated_data("demo", "r-2", 1, "facts"))
    with pytest.raises(InvalidTag):
        open_value(new_data_key(), sealed, here)


def test_an_empty_subject_field_means_the_record_and_no_field_means_inherit():
    received = personal_spec(RECEIVED)
    assert received is not None
    assert received.subject_of({"applicant_id": "a-1"}) == "a-1"
    assert received.subject_of({"applicant_id": ""}) == ""
    assert received.subject_of({}) == ""
    staff = personal_spec("services.staff.domain:StaffMember.Onboarded")
    assert staff is not None
    assert staff.subject_of({"name": "x"}) is None


def test_specs_come_from_the_contracts():
    spec = personal_spec(RECEIVED)
    assert spec is not None
    assert spec.fields == {"complainant_name", "complainant_phone", "facts"}
    assert spec.subject_field == "applicant_id"
    assert personal_spec(PUBLISHED) is None
    staff = personal_spec("services.staff.domain:StaffMember.Onboarded")
    assert staff is not None
    assert staff.subject_field is None
    assert all(s.fields for s in PERSONAL_SPECS.values())


def test_events_without_personal_fields_pass_through_without_a_round_trip():
    keys = FakeKeys()
    events = [_event(PUBLISHED, b'{"name":"x"}')]
    assert CODEC.seal_events(keys, "demo", events) is events
    assert CODEC.open_events(keys, "demo", events) is events
    assert keys.calls == 0


def test_seal_then_open_round_trips_and_erasure_shows_the_marker():
    keys = FakeKeys()
    sealed = CODEC.seal_events(keys, "demo", [_event()])
    stored = json.loads(sealed[0].state)
    assert is_sealed(stored["complainant_name"])
    assert is_sealed(stored["facts"])
    assert stored["applicant_id"] == "a-1"
    assert stored["timestamp"]["_type_"] == "datetime_iso"  # library transcodings intact
    assert "张三".encode() not in sealed[0].state

    opened = json.loads(CODEC.open_events(keys, "demo", list(sealed))[0].state)
    assert opened == json.loads(_complaint_state())

    keys.destroy("a-1")
    erased = json.loads(CODEC.open_events(keys, "demo", list(sealed))[0].state)
    assert (erased["complainant_name"], erased["facts"]) == (ERASED, ERASED)
    assert erased["applicant_id"] == "a-1"


def test_empty_personal_fields_are_not_sealed():
    keys = FakeKeys()
    state = _complaint_state(complainant_name="", complainant_phone="", applicant_id="")
    sealed = json.loads(CODEC.seal_events(keys, "demo", [_event(state=state)])[0].state)
    assert sealed["complainant_name"] == ""
    assert is_sealed(sealed["facts"])
    assert keys.records == {"r-1": "record:r-1"}  # anonymous: the record is the subject


def test_notifications_and_row_tuples_keep_their_type():
    keys = FakeKeys()
    sealed = CODEC.seal_events(keys, "demo", [_event()])[0]
    note = Notification(sealed.originator_id, 1, sealed.topic, sealed.state, id=7)
    opened = CODEC.open_events(keys, "demo", [note])[0]
    assert isinstance(opened, Notification)
    assert opened.id == 7
    assert b"\xe5\xbc\xa0\xe4\xb8\x89" in opened.state  # 张三


def test_snapshots_of_personal_records_are_sealed_whole_and_dropped_once_erased():
    keys = FakeKeys()
    CODEC.seal_events(keys, "demo", [_event()])  # links r-1 to subject a-1
    state = json.dumps({"topic": "x:Y", "state": {"name": "张三"}}).encode()
    snapshot = StoredEvent("r-1", 3, "eventsourcing.domain:Snapshot", state)
    other = StoredEvent("r-9", 3, "eventsourcing.domain:Snapshot", state)
    sealed, untouched = CODEC.seal_snapshots(keys, "demo", [snapshot, other])
    assert untouched.state == state
    assert is_sealed(json.loads(sealed.state)["state"])
    assert json.loads(CODEC.open_snapshots(keys, "demo", [sealed])[0].state)["state"] == {
        "name": "张三"
    }
    keys.destroy("a-1")
    assert CODEC.open_snapshots(keys, "demo", [sealed, untouched]) == [untouched]
