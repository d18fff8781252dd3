"""A message Kafka refuses for good (too large, a topic the relay may not write) holds only its
hall, for that consumer: the other halls and consumers go on, the refused event is neither
skipped nor dropped, metrics name the hall, and the hall goes on once Kafka accepts it."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Any

import pytest
from kafka.admin import KafkaAdminClient

from services.catalog import CatalogService
from services.catalog.application import ItemTerms
from services.relay import (
    CloudEvent,
    MemorySink,
    MessageRejectedError,
    PartnerFanout,
    PlatformPublisher,
    StreamRelay,
    partner_topic,
)
from services.relay.rejections import HALL_HELD, MESSAGES_REFUSED, Rejections
from services.relay.replay import delivered_position
from tests.integration.relay.support import grant, publish_items, read_all, register_hall

ITEMS = "catalog.ServiceItemPublished"


class RefusingSink(MemorySink):
    """Refuses for good every message of the halls in ``refused`` (as Kafka would one too
    large for the topic); keeps the others."""

    def __init__(self, *refused: str) -> None:
        super().__init__()
        self.refused = set(refused)

    def publish(self, messages: Sequence[CloudEvent]) -> None:
        for m in messages:
            if m.header("ce_source").removeprefix("/halls/") in self.refused:
                raise MessageRejectedError(m, "MessageSizeTooLargeError()")
        super().publish(messages)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _halls(platform: Any, tenant_id: str) -> tuple[str, str]:
    bad, good = f"{tenant_id}-bad", f"{tenant_id}-good"
    for hall in (bad, good):
        register_hall(platform, hall)
    return bad, good


def _sources(sink: MemorySink, topic: str) -> list[str]:
    return [m.header("ce_source") for m in sink.on(topic)]


def _metric(metric: Any, consumer: str, hall: str) -> float:
    return float(metric.labels(consumer, hall)._value.get())


def test_a_refused_message_holds_only_its_hall_for_a_partner(
    platform, worker_pool, tenant_id, partner
):
    bad, good = _halls(platform, tenant_id)
    for hall in (bad, good):
        grant(platform, hall, partner, [ITEMS])
        publish_items(platform, hall, ["X1", "X2"])
    sink = RefusingSink(bad)
    fanout = PartnerFanout(worker_pool, sink, worker_id=uuid.uuid4().hex, lease_ttl=5.0)
    try:
        fanout.refresh()
        consumer = fanout.consumers[partner]
        clock = Clock()
        consumer.rejections = Rejections(consumer.consumer, clock=clock)
        fanout.catch_up()
        topic = partner_topic(partner)
        assert _sources(sink, topic) == [f"/halls/{good}"] * 2
        held_at = delivered_position(worker_pool, partner, bad)
        assert consumer.rejections.held() == {bad}
        assert _metric(MESSAGES_REFUSED, consumer.consumer, bad) == 1
        assert _metric(HALL_HELD, consumer.consumer, bad) == 1

        publish_items(platform, good, ["X3"])
        fanout.catch_up()  # the held hall waits for its backoff; the other goes on
        assert _sources(sink, topic) == [f"/halls/{good}"] * 3
        assert _metric(MESSAGES_REFUSED, consumer.consumer, bad) == 1

        clock.now += 1.0
        fanout.catch_up()  # refused again: still held, its position where it was
        assert _metric(MESSAGES_REFUSED, consumer.consumer, bad) == 2
        assert delivered_position(worker_pool, partner, bad) == held_at

        sink.refused.clear()  # the operator raised the topic's max.message.bytes
        clock.now += 2.0
        fanout.catch_up()
        codes = [json.loads(m.body)["code"] for m in sink.on(topic) if bad in m.header("ce_id")]
        assert codes == ["X1", "X2"]  # nothing was skipped
        assert consumer.rejections.held() == set()
        assert _metric(HALL_HELD, consumer.consumer, bad) == 0
    finally:
        fanout.close()


def test_a_refused_message_holds_only_its_hall_on_the_platform_topics(
    platform, worker_pool, tenant_id
):
    bad, good = _halls(platform, tenant_id)
    publish_items(platform, bad, ["X1"])
    publish_items(platform, good, ["X1"])
    sink = RefusingSink(bad)
    publisher = PlatformPublisher(worker_pool, sink, worker_id=uuid.uuid4().hex, lease_ttl=5.0)
    clock = Clock()
    publisher.rejections = Rejections(publisher.consumer, clock=clock)
    try:
        publisher.catch_up()
        sources = {m.header("ce_source") for m in sink.messages}
        assert f"/halls/{good}" in sources
        assert f"/halls/{bad}" not in sources
        assert publisher.rejections.held() == {bad}
        assert _metric(MESSAGES_REFUSED, publisher.consumer, bad) == 1

        publisher.catch_up()  # backing off: not tried again at once
        assert _metric(MESSAGES_REFUSED, publisher.consumer, bad) == 1

        sink.refused.clear()
        clock.now += 1.0
        publisher.catch_up()
        assert f"/halls/{bad}" in {m.header("ce_source") for m in sink.messages}
        assert publisher.rejections.held() == set()
    finally:
        publisher.close()


def test_a_refused_message_does_not_make_the_relay_back_off(platform, worker_pool, tenant_id):
    bad, good = _halls(platform, tenant_id)
    publish_items(platform, bad, ["X1"])
    sink = RefusingSink(bad)
    relay = StreamRelay(worker_pool, sink=sink, worker_id=uuid.uuid4().hex, lease_ttl=5.0)
    try:
        relay.run_once()
        assert relay.backoff.ready()  # Kafka is up: no pause for every hall
        publish_items(platform, good, ["X2"])
        relay.run_once()
        assert f"/halls/{good}" in {m.header("ce_source") for m in sink.messages}
    finally:
        relay.close()


@pytest.mark.kafka
def test_kafka_refusing_an_oversized_message_holds_only_its_hall(
    platform, worker_pool, kafka_bootstrap_servers, tenant_id, partner, fanout
):
    """Against the broker: the partner's topic takes messages of at most 2000 bytes."""
    topic = partner_topic(partner)
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap_servers)
    try:
        admin.create_topics(
            {
                topic: {
                    "num_partitions": 1,
                    "replication_factor": 1,
                    "configs": {"max.message.bytes": "2000"},
                }
            },
            wait_for_metadata=True,
        )
    finally:
        admin.close()
    bad, good = _halls(platform, tenant_id)
    for hall in (bad, good):
        grant(platform, hall, partner, [ITEMS])
    large = ItemTerms(name="大件", category="OTHER", legal_basis="法" * 1500)
    platform.hall_app(CatalogService, bad).publish_service_item("BIG", large, "admin-1")
    publish_items(platform, good, ["SMALL"])

    fanout.catch_up()
    found = read_all(kafka_bootstrap_servers, topic)
    assert [m.body["code"] for m in found] == ["SMALL"]
    consumer = fanout.consumers[partner]
    assert consumer.rejections.held() == {bad}
    assert delivered_position(worker_pool, partner, bad) == 0  # held before the refused event
    assert _metric(MESSAGES_REFUSED, consumer.consumer, bad) == 1
