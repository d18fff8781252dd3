"""The case events keep their contracts: payloads validate, personal data stays in personal
fields, and a stored CaseRequested v1 is read back as v2 (upcasting)."""

from __future__ import annotations

import json
from datetime import date

import jsonschema
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from contracts import event_type_for_topic, schema_for, to_payload, validate_payload
from services.cases import Case, CaseStatus, Delivery, RequestChannel
from tests.unit.cases.support import APPLICANT, Hall

PERSONAL_VALUES = [APPLICANT.name, APPLICANT.id_number, APPLICANT.phone, APPLICANT.address]


def _full_history(hall: Hall) -> list:
    cases = hall.cases
    case_id = hall.request()
    cases.accept_case(case_id, "S001", "s")
    cases.reassign_case(case_id, "S002", "轮岗", "s")
    cases.check_materials(case_id, ["身份证"], "s")
    cases.issue_notice(case_id, ["委托书", "营业执照"], "请补交", "s")
    cases.supplement_materials(case_id, ["委托书", "营业执照"], "s")
    cases.sign_mandate(case_id, True, "ID_CARD_READER", "s")
    cases.hand_over_materials(case_id, "R-1", "s")
    cases.submit_to_department(case_id, "市场监督管理局", "A-1", date(2026, 10, 30), "s")
    cases.suspend_case(case_id, "等待", "s")
    cases.resume_case(case_id, "", "s")
    cases.receive_result(case_id, "APPROVED", "L-1", "", "s")
    cases.deliver_result(case_id, Delivery("MAIL", "张三", "苏州市姑苏区某路1号", "SF1"), "s")
    cases.complete_case(case_id, "", "s")
    cases.record_follow_up(case_id, True, True, "很满意，张三", "s")
    cases.archive_case(case_id, "s")
    terminated = hall.request("ONSITE_GUIDANCE")
    cases.terminate_case(terminated, "申请人未到场", "s")
    return [*hall.events(case_id), *hall.events(terminated)]


def test_every_case_event_validates_against_its_current_contract(hall: Hall):
    events = _full_history(hall)
    names = set()
    for event in events:
        event_type, payload = to_payload(event)
        validate_payload(event_type, payload)
        names.add(event_type.name)
    assert len(names) == 17
    assert all(name.startswith("cases.") for name in names)


def test_personal_data_appears_only_in_fields_marked_personal(hall: Hall):
    for event in _full_history(hall):
        event_type, payload = to_payload(event)
        public = {k: v for k, v in payload.items() if k not in event_type.personal_fields}
        text = json.dumps(public, ensure_ascii=False)
        leaked = [v for v in [*PERSONAL_VALUES, "苏州市姑苏区某路1号", "张三"] if v in text]
        assert not leaked, f"{event_type.name} leaks {leaked}"


def _stored_v1_request(hall: Hall) -> StoredEvent:
    """A CaseRequested as stored before v2: no ``channel`` and no ``class_version``."""
    case = Case.request(
        hall.cases.new_case_id(),
        "h1",
        "FULL_AGENCY",
        "BDB-001",
        "企业设立登记",
        "HALL",
        APPLICANT,
        "applicant-1",
        hall.clock(),
    )
    stored = hall.cases.mapper.to_stored_event(case.collect_events()[0])
    state = json.loads(stored.state)
    assert state.pop("class_version") == 2
    del state["channel"]
    return StoredEvent(
        originator_id=stored.originator_id,
        originator_version=1,
        topic=stored.topic,
        state=json.dumps(state).encode(),
    )


def test_a_stored_v1_request_is_read_back_as_v2_with_an_unrecorded_channel(hall: Hall):
    stored = _stored_v1_request(hall)
    v1_type = event_type_for_topic(stored.topic)
    assert (v1_type.name, v1_type.version) == ("cases.CaseRequested", 2)
    hall.cases.recorder.insert_events([stored])

    event = hall.cases.mapper.to_domain_event(stored)
    assert event.channel == "UNRECORDED"
    event_type, payload = to_payload(event)
    validate_payload(event_type, payload)  # the upcast event keeps the v2 contract

    case = hall.cases.get_case(stored.originator_id)
    assert (case.channel, case.status) == (RequestChannel.UNRECORDED, CaseStatus.REQUESTED)
    case = hall.cases.accept_case(case.id, "S001", "s")  # and the case lives on
    assert case.due_date == date(2026, 10, 12)


def test_the_v1_contract_describes_the_stored_v1_payload(hall: Hall):
    schema_v1 = schema_for("cases.CaseRequested", 1)
    schema_v2 = schema_for("cases.CaseRequested", 2)
    assert schema_v1["x-topic"] == schema_v2["x-topic"] == get_topic(Case.Requested)
    assert set(schema_v2["properties"]) - set(schema_v1["properties"]) == {"channel"}
    stored = _stored_v1_request(hall)
    state = json.loads(stored.state)
    payload = {
        "aggregate_id": str(stored.originator_id),
        "aggregate_version": 1,
        "occurred_at": hall.clock().isoformat(),
        **{k: v for k, v in state.items() if k not in {"timestamp", "originator_topic"}},
    }
    jsonschema.Draft202012Validator(schema_v1).validate(payload)


def test_new_requests_are_stored_as_v2_with_their_channel(hall: Hall):
    case_id = hall.request()
    state = json.loads(hall.cases.recorder.select_events(case_id)[0].state)
    assert (state["class_version"], state["channel"]) == (2, "HALL")
