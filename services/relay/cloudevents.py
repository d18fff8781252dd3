"""CloudEvents 1.0 in Kafka binary content mode: attributes as ``ce_*`` headers, data as body.

Pure: turns (hall, position, domain event) into the message a partner receives.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from eventsourcing.domain import DomainEvent

from contracts import to_payload

__all__ = ["CloudEvent", "to_cloudevent", "topic_for"]

TOPIC_PREFIX = "yanshen"


@dataclass(frozen=True)
class CloudEvent:
    """One message for Kafka: topic, key, headers and JSON body."""

    topic: str
    key: bytes
    headers: list[tuple[str, bytes]]
    body: bytes

    def header(self, name: str) -> str:
        return dict(self.headers)[name].decode()


def topic_for(event_type_name: str) -> str:
    """One platform topic per bounded context.

    >>> topic_for("catalog.ServiceItemPublished")
    'yanshen.catalog'
    """
    return f"{TOPIC_PREFIX}.{event_type_name.split('.', 1)[0]}"


def to_cloudevent(tenant_id: str, position: int, event: DomainEvent) -> CloudEvent:
    """The CloudEvent of the event at ``position`` in ``tenant_id``'s log.

    ``ce_id`` is ``<hall>:<position>``: unique on the platform and the same on every re-send,
    so consumers deduplicate by it. The key is hall + aggregate, so one aggregate's events
    stay in order in one partition.
    """
    event_type, payload = to_payload(event)
    body = {**payload, "hall_position": position}
    headers = [
        ("ce_specversion", b"1.0"),
        ("ce_id", f"{tenant_id}:{position}".encode()),
        ("ce_type", event_type.cloudevents_type.encode()),
        ("ce_source", f"/halls/{tenant_id}".encode()),
        ("ce_subject", str(event.originator_id).encode()),
        ("ce_time", event.timestamp.isoformat().encode()),
        ("content-type", b"application/json; charset=utf-8"),
    ]
    return CloudEvent(
        topic=topic_for(event_type.name),
        key=f"{tenant_id}:{event.originator_id}".encode(),
        headers=headers,
        body=json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode(),
    )
