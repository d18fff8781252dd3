"""Topic names: one platform topic per bounded context, one topic per partner.

>>> topic_for("catalog.ServiceItemPublished"), partner_topic("tax")
('yanshen.catalog', 'yanshen.partner.tax')
"""

from __future__ import annotations

from collections.abc import Iterable

from contracts import EVENT_TYPES

__all__ = [
    "PARTNER_TOPIC_PREFIX",
    "TOPIC_PREFIX",
    "domain_topics",
    "partner_topic",
    "platform_topics",
    "topic_for",
]

TOPIC_PREFIX = "yanshen"
PARTNER_TOPIC_PREFIX = f"{TOPIC_PREFIX}.partner."


def topic_for(event_type_name: str) -> str:
    """The platform topic of an event type: one per bounded context."""
    return f"{TOPIC_PREFIX}.{event_type_name.split('.', 1)[0]}"


def partner_topic(partner_id: str) -> str:
    """The partner's own topic, which broker ACLs confine it to."""
    return f"{PARTNER_TOPIC_PREFIX}{partner_id}"


def platform_topics() -> list[str]:
    """Every platform topic, one per context that publishes an event type."""
    return sorted({topic_for(t.name) for t in EVENT_TYPES})


def domain_topics(event_type_names: Iterable[str]) -> list[str]:
    """The stored (domain class) topics of the named event types, every version."""
    names = set(event_type_names)
    return sorted({t.topic for t in EVENT_TYPES if t.name in names})
