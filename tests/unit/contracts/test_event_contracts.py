"""Every domain event has a published contract, and the contracts hold."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime

import jsonschema
import pytest
from eventsourcing.domain import Aggregate, CanMutateAggregate
from eventsourcing.utils import get_topic, resolve_topic

import services.cases.domain.case
import services.catalog.domain
import services.complaints.domain
import services.evaluations.domain
import services.halls.domain
import services.holidays.domain
import services.partners.domain
import services.places.domain
import services.queue.domain.day
import services.queue.domain.queue
import services.queue.domain.window
import services.rectifications.domain
import services.staff.domain
import services.supervision.assessments
import services.supervision.conduct
import services.supervision.improvements
import services.supervision.inspections
import services.supervision.interviews
from contracts import (
    EVENT_TYPES,
    UnknownEventTypeError,
    event_type_for_topic,
    schema_for,
    to_payload,
    validate_payload,
)
from services.catalog import ServiceItem
from services.halls import Hall

NOW = datetime(2026, 3, 2, 1, tzinfo=UTC)

DOMAIN_MODULES = [
    services.halls.domain,
    services.catalog.domain,
    services.cases.domain.case,
    services.places.domain,
    services.staff.domain,
    services.queue.domain.queue,
    services.queue.domain.day,
    services.queue.domain.window,
    services.complaints.domain,
    services.evaluations.domain,
    services.rectifications.domain,
    services.supervision.inspections,
    services.supervision.conduct,
    services.supervision.assessments,
    services.supervision.interviews,
    services.supervision.improvements,
    services.partners.domain,
    services.holidays.domain,
]


_LIBRARY_BASES = {"Event", "Created"}  # per-aggregate base classes the library generates


def _domain_event_classes() -> list[type]:
    found = []
    for module in DOMAIN_MODULES:
        for _, aggregate in inspect.getmembers(module, inspect.isclass):
            if issubclass(aggregate, Aggregate) and aggregate.__module__ == module.__name__:
                found += [
                    c
                    for _, c in inspect.getmembers(aggregate, inspect.isclass)
                    if issubclass(c, CanMutateAggregate)
                    and c.__qualname__.startswith(aggregate.__qualname__ + ".")
                    and c.__name__ not in _LIBRARY_BASES
                ]
    return found


def test_every_domain_event_has_a_contract():
    missing = []
    for cls in _domain_event_classes():
        try:
            event_type_for_topic(get_topic(cls))
        except UnknownEventTypeError:
            missing.append(get_topic(cls))
    assert not missing, f"events without a contract in contracts/events: {missing}"


@pytest.mark.parametrize("event_type", EVENT_TYPES, ids=lambda t: t.name)
def test_every_schema_is_valid_json_schema_and_closed(event_type):
    schema = schema_for(event_type.name, event_type.version)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["additionalProperties"] is False
    assert {"aggregate_id", "aggregate_version", "occurred_at", "actor"} <= set(schema["required"])


def test_payloads_of_real_events_validate():
    hall = Hall(hall_id="demo", name="示范", region="苏州", actor="op", timestamp=datetime.now(UTC))
    item = ServiceItem(
        hall_id="demo",
        code="X1",
        name="n",
        category="ASSISTANCE",
        legal_basis="",
        materials=["a"],
        promised_working_days=5,
        fee_cents=0,
        rated=True,
        actor="admin",
        timestamp=NOW,
    )
    item.revise("n2", "OTHER", "", [], 3, 100, False, NOW, "admin")
    item.withdraw("obsolete", NOW, "admin")
    for event in [*hall.collect_events(), *item.collect_events()]:
        event_type, payload = to_payload(event)
        validate_payload(event_type, payload)
        assert payload["aggregate_id"] == str(event.originator_id)


def test_a_payload_breaking_its_contract_is_rejected():
    item = ServiceItem(
        hall_id="demo",
        code="X1",
        name="n",
        category="ASSISTANCE",
        legal_basis="",
        materials=[],
        promised_working_days=5,
        fee_cents=0,
        rated=True,
        actor="admin",
        timestamp=NOW,
    )
    event_type, payload = to_payload(item.collect_events()[0])
    with pytest.raises(jsonschema.ValidationError):
        validate_payload(event_type, {**payload, "category": "BOGUS"})
    with pytest.raises(jsonschema.ValidationError):
        validate_payload(event_type, {**payload, "unexpected": 1})
    without_name = {k: v for k, v in payload.items() if k != "name"}
    with pytest.raises(jsonschema.ValidationError):
        validate_payload(event_type, without_name)


ENVELOPE = {"aggregate_id", "aggregate_version", "occurred_at"}
LIBRARY_FIELDS = {
    "originator_id",
    "originator_version",
    "timestamp",
    "originator_topic",
    "originator_id_type",
}


def _event_fields(cls: type) -> set[str]:
    fields: set[str] = set()
    for klass in cls.__mro__:
        fields |= set(vars(klass).get("__annotations__", {}))
    return fields - LIBRARY_FIELDS


@pytest.mark.parametrize("event_type", EVENT_TYPES, ids=lambda t: f"{t.name}.v{t.version}")
def test_each_event_class_and_its_current_schema_agree(event_type):
    if event_type_for_topic(event_type.topic) != event_type:
        return  # an older version: its events are upcast to the current class when read
    cls = resolve_topic(event_type.topic)
    schema = schema_for(event_type.name, event_type.version)
    assert getattr(cls, "class_version", 1) == event_type.version
    assert set(schema["properties"]) - ENVELOPE == _event_fields(cls)
    assert set(schema["required"]) - ENVELOPE == _event_fields(cls)
    assert set(event_type.personal_fields) <= _event_fields(cls)


def test_docs_events_md_is_up_to_date():
    from pathlib import Path

    from contracts.docs import render_events_md

    committed = (Path(__file__).parents[3] / "docs" / "events.md").read_text("utf-8")
    assert committed == render_events_md(), (
        "docs/events.md is stale: run `python -m contracts.docs > docs/events.md`"
    )


@pytest.mark.parametrize(
    "event_type",
    [t for t in EVENT_TYPES if t.personal_fields],
    ids=lambda t: f"{t.name}.v{t.version}",
)
def test_personal_fields_accept_the_erasure_marker(event_type):
    """After crypto-shredding, a personal field reads "[erased]": the contract must say so,
    or consumers validating against it would reject every erased event."""
    from services.privacy import ERASED

    schema = schema_for(event_type.name, event_type.version)
    for name in event_type.personal_fields:
        validator = jsonschema.Draft202012Validator(schema["properties"][name])
        assert validator.is_valid(ERASED), f"{event_type.name}.{name} rejects {ERASED!r}"


def test_payloads_of_holiday_schedule_events_validate():
    from services.holidays import HolidaySchedule

    schedule = HolidaySchedule.record(
        2031, ["2031-10-01", "2031-10-02"], ["2031-10-11"], "国办发明电〔2030〕7号", "op", now=NOW
    )
    schedule.replace(["2031-10-01"], [], "更正", "op", now=NOW)
    for event in schedule.collect_events():
        event_type, payload = to_payload(event)
        validate_payload(event_type, payload)
    assert payload["rest_days"] == ["2031-10-01"]
