"""Plain JSON views of domain events and aggregates, with personal fields redacted or not."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, DomainEvent
from eventsourcing.utils import get_topic

from contracts import UnknownEventTypeError, to_payload
from services.privacy.fields import PERSONAL_SPECS
from services.privacy.sealing import ERASED, is_sealed

__all__ = [
    "REDACTED",
    "aggregate_state",
    "event_payload",
    "jsonable",
    "personal_attributes",
    "redact",
]

REDACTED = "[redacted]"
"""Shown for a personal field when the reader did not ask for personal data."""

_LIBRARY = {
    "_id": "id",
    "_version": "version",
    "_created_on": "created_on",
    "_modified_on": "modified_on",
}
_INTERNAL = {"originator_id", "originator_version", "originator_topic", "timestamp"}


def jsonable(value: Any) -> Any:  # noqa: PLR0911 - one return per kind of value
    """``value`` as JSON data (enums by value, ids and times as strings)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Enum):
        return jsonable(value.value)
    if isinstance(value, UUID | Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if hasattr(value, "__dict__"):
        return {k: jsonable(v) for k, v in vars(value).items() if not k.startswith("__")}
    return str(value)


def redact(data: dict[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    """``data`` with the non-empty values of ``fields`` replaced by :data:`REDACTED`."""
    out = dict(data)
    for field in fields:
        value = out.get(field)
        if value not in (None, "", ERASED):
            out[field] = REDACTED
    return out


def event_payload(event: DomainEvent, *, personal: bool) -> tuple[str, int | None, dict[str, Any]]:
    """``(event type, version, payload)``: the contract's payload when there is one."""
    topic = get_topic(type(event))
    try:
        event_type, payload = to_payload(event)
        name, version = event_type.name, event_type.version
    except UnknownEventTypeError:
        name, version = topic, None
        payload = {
            "aggregate_id": str(event.originator_id),
            "aggregate_version": event.originator_version,
            "occurred_at": event.timestamp.isoformat(),
            **{k: jsonable(v) for k, v in vars(event).items() if k not in _INTERNAL},
        }
    spec = PERSONAL_SPECS.get(topic)
    if spec is not None:
        sealed = [f for f in spec.fields if is_sealed(payload.get(f))]
        payload = redact(payload, spec.fields if not personal else sealed)
    return name, version, payload


def personal_attributes(aggregate: Aggregate) -> set[str]:
    """Attribute names of ``aggregate`` that its events declare as personal fields."""
    prefix = get_topic(type(aggregate)) + "."
    return {f for t, s in PERSONAL_SPECS.items() if t.startswith(prefix) for f in s.fields}


def aggregate_state(aggregate: Aggregate, *, personal: bool) -> dict[str, Any]:
    """The aggregate's attributes as JSON data (library attributes without underscore)."""
    state: dict[str, Any] = {}
    for name, value in vars(aggregate).items():
        if name == "_pending_events":
            continue
        state[_LIBRARY.get(name, name.lstrip("_"))] = jsonable(value)
    return state if personal else redact(state, personal_attributes(aggregate))
