"""A grant of ``context.*`` follows the context: types added to it after the grant reach
the partner (redacted unless personal data is granted), also for grants recorded before
patterns were (GrantIssued v1, which stored the context's types of the time)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

from eventsourcing.persistence import StoredEvent

from services.partners import Grant, PartnerGrants
from services.partners.history import list_grants
from services.queue import QueueService
from services.relay import MemorySink, PartnerConsumer
from tests.integration.relay.support import onboard

V1_QUEUE = [  # `queue.*` as GrantIssued v1 recorded it (before the queue prefixes' events)
    "queue.QueueConfigured",
    "queue.QueueDayStarted",
    "queue.QueueReconfigured",
    "queue.QueueReset",
    "queue.ServiceEnded",
    "queue.ServiceStarted",
    "queue.TicketCalled",
    "queue.TicketIssued",
    "queue.TicketMarkedNoShow",
    "queue.TicketRecalled",
    "queue.TicketRemoved",
    "queue.TicketTransferred",
]


def _record_grant(
    platform: Any, hall: str, partner: str, patterns: list[str], edit: Callable[[dict], None]
) -> None:
    """Record a GrantIssued whose stored state ``edit`` changed (an older version's)."""
    app = platform.hall_app(PartnerGrants, hall)
    grant = Grant(
        hall_id=hall,
        partner_id=partner,
        event_types=patterns,
        patterns=patterns,
        personal_data=False,
        start="NOW",
        actor="admin-1",
    )
    (event,) = grant.collect_events()
    stored = app.mapper.to_stored_event(event)
    state = json.loads(stored.state)
    edit(state)
    app.recorder.insert_events(
        [StoredEvent(stored.originator_id, 1, stored.topic, json.dumps(state).encode())]
    )


def _deliver(worker_pool: Any, partner: str) -> MemorySink:
    sink = MemorySink()
    consumer = PartnerConsumer(
        worker_pool, sink, partner, worker_id=uuid.uuid4().hex, lease_ttl=5.0
    )
    try:
        consumer.catch_up()
    finally:
        consumer.close()
    return sink


def _types(sink: MemorySink) -> list[str]:
    return [m.header("ce_type").split(".")[-2] for m in sink.messages]


def test_a_version_1_context_grant_receives_the_types_added_since(
    platform, worker_pool, hall, partner
):
    def as_version_1(state: dict) -> None:
        del state["class_version"], state["patterns"]
        state["event_types"] = V1_QUEUE

    _record_grant(platform, hall, partner, ["queue.*"], as_version_1)
    platform.hall_app(QueueService, hall).configure_queue("ZH", "综合受理", "A", [], "admin")
    sink = _deliver(worker_pool, partner)
    # QueuePrefixClaimed did not exist when the grant was recorded: covered by queue.*.
    assert sorted(_types(sink)) == ["QueueConfigured", "QueuePrefixClaimed"]
    (record,) = list_grants(worker_pool, [partner], [hall])
    assert record.patterns == ("queue.*",)
    assert "queue.QueuePrefixClaimed" in record.event_types


def test_a_type_added_to_a_granted_context_is_redacted_without_personal_data(
    platform, worker_pool, hall, partner
):
    """The grant covered staff.* before StaffOnboarded existed (simulated: its recorded
    types lack it): the new type arrives, its personal field null."""

    def before_staff_onboarded(state: dict) -> None:
        state["event_types"] = ["staff.StaffSignedIn"]

    _record_grant(platform, hall, partner, ["staff.*"], before_staff_onboarded)
    onboard(platform, hall, "S1", "张三")
    (message,) = _deliver(worker_pool, partner).messages
    assert message.header("ce_type").endswith(".StaffOnboarded.v1")
    assert json.loads(message.body)["name"] is None
    assert message.header("ce_redacted") == "name"


def test_a_named_type_grant_does_not_follow_the_context(platform, worker_pool, hall, partner):
    def as_version_1(state: dict) -> None:
        del state["class_version"], state["patterns"]
        state["event_types"] = V1_QUEUE[1:]  # not every queue type of the time: names

    _record_grant(platform, hall, partner, ["queue.*"], as_version_1)
    platform.hall_app(QueueService, hall).configure_queue("ZH", "综合受理", "A", [], "admin")
    assert _deliver(worker_pool, partner).messages == []
    (record,) = list_grants(worker_pool, [partner], [hall])
    assert record.patterns == tuple(V1_QUEUE[1:])
