"""A topic deleted behind the relay's back (an operator's mistake, a cleanup script): the
relay creates it again at its next round and goes on, and the other partners are not held
up meanwhile; what the deleted topic held comes back with ``yanshen partners replay``."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest
from kafka import KafkaAdminClient

from services.relay import KafkaSink, RelayConfig, partner_topic, replay
from services.store.consumers import pending_tenants
from tests.integration.relay.support import (
    grant,
    new_partner_id,
    publish_items,
    read_all,
    register_partner,
)

pytestmark = pytest.mark.kafka

ITEMS = "catalog.ServiceItemPublished"


def _delete_topic(bootstrap: str, topic: str) -> None:
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        admin.delete_topics([topic])
        deadline = time.monotonic() + 30
        while topic in admin.list_topics():
            assert time.monotonic() < deadline, f"{topic} was not deleted"
            time.sleep(0.2)
    finally:
        admin.close()


def _items(bootstrap: str, topic: str, hall: str) -> list[str]:
    found = read_all(bootstrap, topic)
    return sorted(m.body["code"] for m in found if m.headers["ce_source"] == f"/halls/{hall}")


def test_a_deleted_partner_topic_is_created_again_and_holds_no_other_partner_up(
    platform, worker_pool, kafka_bootstrap_servers, relay_config, hall, make_relay
):
    deleted, other = new_partner_id(), new_partner_id()  # consumed in this order
    for partner in (deleted, other):
        register_partner(platform, partner)
        grant(platform, hall, partner, [ITEMS])
    config = replace(relay_config, send_timeout_ms=3000)  # a failed round is short
    relay = make_relay(config=config)
    publish_items(platform, hall, ["X1"])
    relay.run_once()
    assert _items(kafka_bootstrap_servers, partner_topic(deleted), hall) == ["X1"]

    _delete_topic(kafka_bootstrap_servers, partner_topic(deleted))
    publish_items(platform, hall, ["X2"])
    deadline = time.monotonic() + 90
    while _pending(worker_pool, hall, deleted, other):
        assert time.monotonic() < deadline, "the relay did not get past the deleted topic"
        relay.run_once()
        time.sleep(0.2)

    assert _items(kafka_bootstrap_servers, partner_topic(other), hall) == ["X1", "X2"]
    # created again, from the relay's position on: X1 went with the deleted topic ...
    assert _items(kafka_bootstrap_servers, partner_topic(deleted), hall) == ["X2"]
    # ... and comes back by a replay, as docs/partners.md says
    sink = KafkaSink(RelayConfig(bootstrap_servers=kafka_bootstrap_servers))
    try:
        assert replay(worker_pool, sink, deleted, hall).sent == 2
    finally:
        sink.close()
    assert _items(kafka_bootstrap_servers, partner_topic(deleted), hall) == ["X1", "X2", "X2"]


def _pending(worker_pool, hall: str, *partners: str) -> bool:
    """Whether the hall has events the partners' consumers did not get past yet."""
    return any(
        tenant == hall
        for partner in partners
        for tenant, _ in pending_tenants(worker_pool, f"partner:{partner}")
    )
