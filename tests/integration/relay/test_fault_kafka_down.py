"""Kafka down: GraphQL mutations still succeed, the relay retries with backoff and catches
up when the broker returns (same address, same data); nothing is lost.

Runs its own broker (the session's is shared with other tests), stops it with SIGTERM and
starts it again on the same ports and log directory.
"""

from __future__ import annotations

import threading
import time

import pytest

import deploy.kafka.broker as broker_module
from deploy.kafka.broker import KafkaBroker
from gateway.auth import Role
from services.relay import RelayConfig
from services.store import EventStore
from tests.integration.relay.support import consume, of_hall, producer_threads

pytestmark = [pytest.mark.kafka, pytest.mark.xdist_group("own-kafka-broker")]

PUBLISH = """
mutation($code: String!) {
  publishServiceItem(input: {code: $code, name: "帮办代办", category: ASSISTANCE}) { code }
}"""
REGISTER = """
mutation($id: String!) { registerHall(input: {hallId: $id, name: "测试大厅"}) { position } }
"""


@pytest.fixture
def own_broker(tmp_path, monkeypatch):
    """A broker whose restarts keep their ports and their data."""
    ports = broker_module._free_ports(2)
    monkeypatch.setattr(broker_module, "_free_ports", lambda count: list(ports))
    original_format = KafkaBroker._format_storage

    def format_once(self, java, libs, config):
        if not (self.log_dir / "data" / "meta.properties").exists():
            original_format(self, java, libs, config)

    monkeypatch.setattr(KafkaBroker, "_format_storage", format_once)
    broker = KafkaBroker(tmp_path / "kafka")
    broker.start()
    yield broker
    broker.stop()


def _pending(worker_pool, tenant_id: str) -> bool:
    return tenant_id in dict(EventStore(worker_pool).pending_tenants("relay:kafka"))


def test_commands_succeed_while_kafka_is_down_and_the_relay_catches_up(
    gql, token, tenant_id, worker_pool, own_broker, make_relay
):
    address = own_broker.bootstrap_servers
    producer_threads_before = producer_threads()
    relay = make_relay(
        config=RelayConfig(
            bootstrap_servers=address,
            connect_timeout_ms=1000,
            send_timeout_ms=2000,
            lease_ttl=5.0,
            poll_interval=0.2,
        )
    )
    thread = threading.Thread(target=relay.run_forever, daemon=True)
    thread.start()
    try:
        operator, admin = token(Role.PLATFORM_OPERATOR), token(Role.HALL_ADMIN, tenant_id)
        assert "errors" not in gql(REGISTER, {"id": tenant_id}, token=operator).json()
        assert "errors" not in gql(PUBLISH, {"code": "UP-1"}, token=admin).json()
        before = consume(
            address,
            ["yanshen.halls", "yanshen.catalog"],
            keep=of_hall(tenant_id),
            until=lambda f: len(f) >= 2,
        )
        assert len(before) == 2

        own_broker.stop()  # Kafka is down
        for i in range(5):
            response = gql(PUBLISH, {"code": f"DOWN-{i}"}, token=admin).json()
            assert "errors" not in response, response
        deadline = time.monotonic() + 30
        while relay.backoff.delay < 1.0 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert relay.backoff.delay >= 1.0  # it failed, backed off, failed again: 0.5 s, 1 s, …
        assert _pending(worker_pool, tenant_id)  # nothing was marked as published

        own_broker.start()  # Kafka returns, same address and data
        assert own_broker.bootstrap_servers == address
        # The relay catches up: its position moves only after the broker acknowledged.
        # (Generous: after a restart the broker and the relay's backoff take their time.)
        deadline = time.monotonic() + 150
        while _pending(worker_pool, tenant_id) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not _pending(worker_pool, tenant_id), "the relay did not catch up"
        found = consume(
            address,
            ["yanshen.halls", "yanshen.catalog"],
            keep=of_hall(tenant_id),
            until=lambda f: len({m.ce_id for m in f}) >= 7,
            timeout=120,
        )
    finally:
        relay.stop()
        thread.join(timeout=30)
    relay.close()
    # Every producer the relay gave up on while Kafka was down was closed, not left retrying.
    deadline = time.monotonic() + 20
    while producer_threads() - producer_threads_before and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not producer_threads() - producer_threads_before
    assert {m.position for m in found} == set(range(1, 8))  # nothing lost
    codes = {m.body.get("code") for m in found if m.topic == "yanshen.catalog"}
    assert codes == {"UP-1", *(f"DOWN-{i}" for i in range(5))}
    assert not _pending(worker_pool, tenant_id)
