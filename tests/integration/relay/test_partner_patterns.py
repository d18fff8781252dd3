"""A grant of ``context.*`` follows the context: types added to it after the grant reach
the partner (redacted unless personal data is granted), also for grants recorded before
patterns were (GrantIssued v1, which stored the context's types of the time). A grant is
matched against the types grantable at delivery time: a name no longer grantable (the
hall's audit records) is not delivered."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from services.audit import AccessAction, Accessor, AuditLog
from services.partners import GrantNotActiveError
from services.partners.history import list_grants
from services.queue import QueueService
from services.relay import MemorySink, PartnerConsumer, replay
from tests.integration.relay.support import onboard, publish_items, record_grant

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

    record_grant(platform, hall, partner, ["queue.*"], as_version_1)
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

    record_grant(platform, hall, partner, ["staff.*"], before_staff_onboarded)
    onboard(platform, hall, "S1", "张三")
    (message,) = _deliver(worker_pool, partner).messages
    assert message.header("ce_type").endswith(".StaffOnboarded.v1")
    assert json.loads(message.body)["name"] is None
    assert message.header("ce_redacted") == "name"


def test_a_named_type_grant_does_not_follow_the_context(platform, worker_pool, hall, partner):
    def as_version_1(state: dict) -> None:
        del state["class_version"], state["patterns"]
        state["event_types"] = V1_QUEUE[1:]  # not every queue type of the time: names

    record_grant(platform, hall, partner, ["queue.*"], as_version_1)
    platform.hall_app(QueueService, hall).configure_queue("ZH", "综合受理", "A", [], "admin")
    assert _deliver(worker_pool, partner).messages == []
    (record,) = list_grants(worker_pool, [partner], [hall])
    assert record.patterns == tuple(V1_QUEUE[1:])


def test_a_grant_naming_an_audit_type_no_longer_receives_it(platform, worker_pool, hall, partner):
    """Granted before audit records became internal to the hall (recorded as it was then):
    the relay sends the grant's other types only, a replay neither, and the listing says
    which name is not delivered."""
    named = ["audit.AuditAccessRecorded", "catalog.ServiceItemPublished"]
    record_grant(platform, hall, partner, named)
    audit = platform.hall_app(AuditLog, hall)
    audit.record_access(Accessor("au-1", "auditor", "complaint by 张三"), AccessAction.HISTORY, "*")
    publish_items(platform, hall, ["X1"])
    sink = _deliver(worker_pool, partner)
    assert _types(sink) == ["ServiceItemPublished"]
    replayed = MemorySink()
    assert replay(worker_pool, replayed, partner, hall, 1).sent == 1
    assert _types(replayed) == ["ServiceItemPublished"]
    (record,) = list_grants(worker_pool, [partner], [hall])
    assert record.patterns == tuple(named)  # as granted
    assert record.withheld == ("audit.AuditAccessRecorded",)
    assert record.event_types == ("catalog.ServiceItemPublished",)


def test_a_grant_of_audit_types_only_is_refused_a_replay_saying_why(
    platform, worker_pool, hall, partner
):
    record_grant(platform, hall, partner, ["audit.AuditAccessRecorded"])
    platform.hall_app(AuditLog, hall).record_access(
        Accessor("au-1", "auditor", "spot check"), AccessAction.HISTORY, "*"
    )
    assert _deliver(worker_pool, partner).messages == []
    with pytest.raises(GrantNotActiveError, match="no longer delivered"):
        replay(worker_pool, MemorySink(), partner, hall, 1)
