"""Event types, their JSON Schemas and the payload a domain event publishes.

>>> event_type_for_topic("services.catalog.domain:ServiceItem.Published").name
'catalog.ServiceItemPublished'
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from functools import cache
from importlib import resources
from typing import Any
from uuid import UUID

from eventsourcing.domain import DomainEvent
from eventsourcing.utils import get_topic
from jsonschema import Draft202012Validator

__all__ = [
    "EVENT_TYPES",
    "EventType",
    "UnknownEventTypeError",
    "event_type_for_topic",
    "schema_for",
    "to_payload",
    "validate_payload",
]


class UnknownEventTypeError(LookupError):
    """A stored event's topic has no public contract."""


@dataclass(frozen=True)
class EventType:
    """A public event type: its stable name, version and the domain topic it is stored under."""

    name: str
    version: int
    topic: str
    personal_fields: tuple[str, ...] = ()
    """Fields holding applicants' personal data (redacted for partners without a grant)."""

    @property
    def schema_file(self) -> str:
        return f"{self.name}.v{self.version}.json"

    @property
    def cloudevents_type(self) -> str:
        """The CloudEvents ``type``: reverse-DNS prefix, name and version."""
        return f"cn.yanshen.{self.name}.v{self.version}"


def _load_event_types() -> tuple[EventType, ...]:
    """Every ``<context>.<Event>.v<N>.json`` here is one event type: adding a schema file
    (with ``x-topic`` naming the domain class) is how an event type is published."""
    types = []
    for entry in sorted(resources.files(__package__).iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".json"):
            continue
        schema = json.loads(entry.read_text("utf-8"))
        name, _, version = entry.name.removesuffix(".json").rpartition(".v")
        types.append(
            EventType(
                name, int(version), schema["x-topic"], tuple(schema.get("x-personal-fields", ()))
            )
        )
    return tuple(types)


EVENT_TYPES: tuple[EventType, ...] = _load_event_types()
"""Every published event type and version."""

# A topic's current version is its highest: older versions are upcast when read.
_BY_TOPIC = {t.topic: t for t in sorted(EVENT_TYPES, key=lambda t: t.version)}
_INTERNAL = {"originator_id", "originator_version", "originator_topic", "timestamp"}


def event_type_for_topic(topic: str) -> EventType:
    try:
        return _BY_TOPIC[topic]
    except KeyError:
        raise UnknownEventTypeError(f"no public contract for event topic {topic!r}") from None


def _jsonable(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def to_payload(event: DomainEvent) -> tuple[EventType, dict[str, Any]]:
    """The event's public type and payload: its own fields plus ``aggregate_id``,
    ``aggregate_version`` and ``occurred_at``."""
    event_type = event_type_for_topic(get_topic(type(event)))
    fields = {k: _jsonable(v) for k, v in vars(event).items() if k not in _INTERNAL}
    payload = {
        "aggregate_id": str(event.originator_id),
        "aggregate_version": event.originator_version,
        "occurred_at": event.timestamp.isoformat(),
        **fields,
    }
    return event_type, payload


@cache
def schema_for(name: str, version: int) -> dict[str, Any]:
    text = resources.files(__package__).joinpath(f"{name}.v{version}.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator(name: str, version: int) -> Draft202012Validator:
    schema = schema_for(name, version)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def validate_payload(event_type: EventType, payload: dict[str, Any]) -> None:
    """Raise ``jsonschema.ValidationError`` when ``payload`` breaks its contract."""
    _validator(event_type.name, event_type.version).validate(payload)
