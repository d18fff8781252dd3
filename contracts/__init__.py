"""The public promises: event schemas (JSON Schema per type and version), GraphQL SDL, AsyncAPI.

Every stored domain event has a public *event type* (``catalog.ServiceItemPublished``) and
a version; its payload is what partners and auditors see, and must validate against
``contracts/events/<type>.v<version>.json``.
"""

from contracts.events import (
    EVENT_TYPES,
    EventType,
    UnknownEventTypeError,
    event_type_for_topic,
    schema_for,
    to_payload,
    validate_payload,
)

__all__ = [
    "EVENT_TYPES",
    "EventType",
    "UnknownEventTypeError",
    "event_type_for_topic",
    "schema_for",
    "to_payload",
    "validate_payload",
]
