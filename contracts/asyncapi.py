"""The AsyncAPI 3.0 document of Yanshen's Kafka topics, generated from the event contracts.

``python -m contracts.asyncapi`` rewrites ``contracts/asyncapi.yaml``; ``--check`` only
compares. Every platform topic (one per bounded context) and the partner topic
``yanshen.partner.{partnerId}`` are channels; every current event type is a message with the
CloudEvents binary-mode headers and, as payload, its contract schema plus ``hall_position``
(on partner topics the personal-data fields may be null: redacted).
"""

from __future__ import annotations

import argparse
import copy
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from contracts.events import EVENT_TYPES, EventType, schema_for

__all__ = ["DOCUMENT", "build_document", "main", "render"]

DOCUMENT = Path(__file__).resolve().with_name("asyncapi.yaml")
KAFKA_BINDING = "0.5.0"
SLUG = "^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$"


def _current_types() -> list[EventType]:
    """The version of each event type the relay sends (the highest; older ones are upcast)."""
    latest: dict[str, EventType] = {}
    for t in EVENT_TYPES:
        if t.name not in latest or t.version > latest[t.name].version:
            latest[t.name] = t
    return [latest[name] for name in sorted(latest)]


def _headers(redactable: bool) -> dict[str, Any]:
    text = {"type": "string"}
    properties: dict[str, Any] = {
        "ce_specversion": {"const": "1.0", "description": "CloudEvents version."},
        "ce_id": {
            **text,
            "pattern": f"{SLUG[:-1]}:[1-9][0-9]*$",
            "description": "<hall>:<position>: unique, and the same on every re-send and "
            "topic; deduplicate by it.",
        },
        "ce_type": {**text, "description": "cn.yanshen.<context>.<Event>.v<version>"},
        "ce_source": {**text, "pattern": f"^/halls/{SLUG[1:]}", "description": "The hall."},
        "ce_subject": {**text, "description": "The aggregate (record) id."},
        "ce_time": {**text, "format": "date-time", "description": "When the event occurred."},
        "content-type": {"const": "application/json; charset=utf-8"},
    }
    if redactable:
        properties["ce_redacted"] = {
            **text,
            "description": "Comma-separated personal-data fields set to null (absent when "
            "nothing was redacted).",
        }
    return {
        "type": "object",
        "required": [p for p in properties if p != "ce_redacted"],
        "properties": properties,
    }


def _payload(event_type: EventType, redactable: bool) -> dict[str, Any]:
    schema = copy.deepcopy(schema_for(event_type.name, event_type.version))
    for key in ("$schema", "$id", "x-topic"):
        schema.pop(key, None)
    schema["properties"]["hall_position"] = {
        "type": "integer",
        "minimum": 1,
        "description": "Position of the event in the hall's log.",
    }
    schema["required"] = [*schema["required"], "hall_position"]
    if redactable:
        for name in event_type.personal_fields:
            schema["properties"][name] = {
                "oneOf": [schema["properties"][name], {"type": "null"}],
                "description": "Personal data: null unless the grant includes personal data.",
            }
    return schema


def _message_id(event_type: EventType, partner: bool) -> str:
    return f"{'partner.' if partner else ''}{event_type.name}.v{event_type.version}"


def _message(event_type: EventType, partner: bool) -> dict[str, Any]:
    schema_id = _message_id(event_type, partner)
    headers = _headers(redactable=partner)
    headers["properties"]["ce_type"] = {"const": event_type.cloudevents_type}
    return {
        "name": event_type.name,
        "title": f"{event_type.name} v{event_type.version}",
        "summary": schema_for(event_type.name, event_type.version).get("description", ""),
        "contentType": "application/json",
        "headers": headers,
        "payload": {"$ref": f"#/components/schemas/{schema_id}"},
        "bindings": {
            "kafka": {
                "key": {"type": "string", "description": "<hall>:<aggregate id>"},
                "bindingVersion": KAFKA_BINDING,
            }
        },
    }


def build_document() -> dict[str, Any]:
    """The AsyncAPI document as a dict (deterministic: sorted by topic and type)."""
    from services.partners.application import grantable_event_types
    from services.relay.topics import partner_topic, topic_for

    types = _current_types()
    grantable = set(grantable_event_types())
    messages: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    by_topic: dict[str, list[EventType]] = {}
    for t in types:
        by_topic.setdefault(topic_for(t.name), []).append(t)
        for partner in (False, True):
            if partner and t.name not in grantable:
                continue
            messages[_message_id(t, partner)] = _message(t, partner)
            schemas[_message_id(t, partner)] = _payload(t, redactable=partner)
    for topic, topic_types in sorted(by_topic.items()):
        context = topic.rsplit(".", 1)[1]
        channels[context] = {
            "address": topic,
            "title": f"Platform topic of the {context} context",
            "description": "Every hall's events of this context, keyed by hall and aggregate "
            "(one aggregate's events in order in one partition). Platform-internal.",
            "messages": {
                _message_id(t, False): {"$ref": f"#/components/messages/{_message_id(t, False)}"}
                for t in topic_types
            },
            "bindings": {"kafka": {"topic": topic, "bindingVersion": KAFKA_BINDING}},
        }
        operations[f"publish-{context}"] = {
            "action": "send",
            "title": f"The relay publishes {context} events",
            "channel": {"$ref": f"#/channels/{context}"},
            "messages": [
                {"$ref": f"#/channels/{context}/messages/{_message_id(t, False)}"}
                for t in topic_types
            ],
        }
    partner_types = [t for t in types if t.name in grantable]
    channels["partner"] = {
        "address": partner_topic("{partnerId}"),
        "title": "A partner's own topic",
        "description": "The events of the halls and types granted to the partner, from the "
        "grant's position (or backfilled from the hall's first event) until a revocation; "
        "personal-data fields null unless granted. Broker ACLs confine each partner to its "
        "topic (docs/partners.md).",
        "parameters": {
            "partnerId": {"description": "The partner id given at registration (a slug)."}
        },
        "messages": {
            _message_id(t, True): {"$ref": f"#/components/messages/{_message_id(t, True)}"}
            for t in partner_types
        },
    }
    operations["deliver-to-partner"] = {
        "action": "send",
        "title": "The relay delivers granted events to a partner",
        "channel": {"$ref": "#/channels/partner"},
        "messages": [
            {"$ref": f"#/channels/partner/messages/{_message_id(t, True)}"} for t in partner_types
        ],
    }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Yanshen event streams",
            "version": "1.0.0",
            "description": "Halls' events as CloudEvents 1.0 in Kafka binary content mode "
            "(ce_* headers, JSON body). Generated from contracts/events by "
            "`python -m contracts.asyncapi`; do not edit by hand.",
        },
        "defaultContentType": "application/json",
        "servers": {
            "production": {
                "host": "{bootstrap}",
                "protocol": "kafka-secure",
                "description": "SASL_SSL with SCRAM-SHA-512; each partner reads only its "
                "topic (docs/partners.md).",
                "variables": {"bootstrap": {"description": "The broker address given to you."}},
                "security": [{"$ref": "#/components/securitySchemes/scram"}],
            },
            "local": {
                "host": "127.0.0.1:9092",
                "protocol": "kafka",
                "description": "Development broker without authentication.",
            },
        },
        "channels": channels,
        "operations": operations,
        "components": {
            "messages": dict(sorted(messages.items())),
            "schemas": dict(sorted(schemas.items())),
            "securitySchemes": {
                "scram": {"type": "scramSha512", "description": "SASL/SCRAM-SHA-512 over TLS."}
            },
        },
    }


def render(document: dict[str, Any] | None = None) -> str:
    """The document as YAML, exactly as committed."""
    return str(
        yaml.safe_dump(document or build_document(), sort_keys=False, allow_unicode=True, width=100)
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m contracts.asyncapi")
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    args = parser.parse_args(argv)
    text = render()
    current = DOCUMENT.read_text(encoding="utf-8") if DOCUMENT.exists() else ""
    if current == text:
        print(f"{DOCUMENT} is current")
        return 0
    if args.check:
        print(f"{DOCUMENT} is out of date: run python -m contracts.asyncapi")
        return 1
    DOCUMENT.write_text(text, encoding="utf-8")
    print(f"wrote {DOCUMENT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
