"""Stored notifications to messages: the platform's and a partner's (filtered, redacted)."""

from __future__ import annotations

from eventsourcing.persistence import Notification

from contracts import UnknownEventTypeError, event_type_for_topic
from services.partners.access import Delivery
from services.relay.cloudevents import CloudEvent, to_cloudevent
from services.store import decode

__all__ = ["event_type_name", "partner_message", "platform_message"]


def event_type_name(notification: Notification) -> str | None:
    """The public type name of a stored event (None for a topic without contract)."""
    try:
        return event_type_for_topic(notification.topic).name
    except UnknownEventTypeError:
        return None


def platform_message(tenant_id: str, notification: Notification) -> CloudEvent:
    return to_cloudevent(tenant_id, notification.id, decode(notification))


def partner_message(
    tenant_id: str, notification: Notification, topic: str, delivery: Delivery
) -> CloudEvent:
    return to_cloudevent(
        tenant_id,
        notification.id,
        decode(notification),
        topic=topic,
        redact=delivery is Delivery.REDACTED,
    )
