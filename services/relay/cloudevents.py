"""CloudEvents 1.0 in Kafka binary content mode: attributes as ``ce_*`` headers, data as body.

Pure: turns (hall, position, domain event) into the message a consumer receives, on a
platform topic or, redacted as its grant says, on a partner's topic.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from eventsourcing.domain import DomainEvent

from contracts import to_payload
from services.relay.topics import topic_for

__all__ = ["CONTENT_TYPE", "CloudEvent", "to_cloudevent", "topic_for"]

CONTENT_TYPE = "application/json; charset=utf-8"


@dataclass(frozen=True)
class CloudEvent:
    """One message for Kafka: topic, key, headers and JSON body."""

    topic: str
    key: bytes
    headers: list[tuple[str, bytes]]
    body: bytes

    def header(self, name: str) -> str:
        return dict(self.headers)[name].decode()


def to_cloudevent(
    tenant_id: str,
    position: int,
    event: DomainEvent,
    *,
    topic: str | None = None,
    redact: bool = False,
) -> CloudEvent:
    """The CloudEvent of the event at ``position`` in ``tenant_id``'s log.

    ``ce_id`` is ``<hall>:<position>``: unique on the platform and the same on every re-send
    and on every topic, so consumers deduplicate by it. The key is hall + aggregate, so one
    aggregate's events stay in order in one partition. ``topic`` overrides the platform
    topic (a partner's topic); ``redact`` sets the type's personal-data fields to null and
    names them in the ``ce_redacted`` header.
    """
    event_type, payload = to_payload(event)
    redacted = [f for f in event_type.personal_fields if f in payload] if redact else []
    body = {**payload, **dict.fromkeys(redacted), "hall_position": position}
    headers = [
        ("ce_specversion", b"1.0"),
        ("ce_id", f"{tenant_id}:{position}".encode()),
        ("ce_type", event_type.cloudevents_type.encode()),
        ("ce_source", f"/halls/{tenant_id}".encode()),
        ("ce_subject", str(event.originator_id).encode()),
        ("ce_time", event.timestamp.isoformat().encode()),
        ("content-type", CONTENT_TYPE.encode()),
    ]
    if redacted:
        headers.append(("ce_redacted", ",".join(redacted).encode()))
    return CloudEvent(
        topic=topic or topic_for(event_type.name),
        key=f"{tenant_id}:{event.originator_id}".encode(),
        headers=headers,
        body=json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode(),
    )
