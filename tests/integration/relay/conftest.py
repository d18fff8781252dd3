"""Fixtures of the relay tests: a hall, a partner, a Kafka sink and relays that are closed."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from services.relay import KafkaSink, PartnerFanout, RelayConfig, StreamRelay
from tests.integration.relay.support import new_partner_id, register_hall, register_partner


@pytest.fixture
def relay_config(kafka_bootstrap_servers: str) -> RelayConfig:
    return RelayConfig(bootstrap_servers=kafka_bootstrap_servers, lease_ttl=5.0)


@pytest.fixture
def sink(relay_config: RelayConfig) -> Iterator[KafkaSink]:
    sink = KafkaSink(relay_config)
    yield sink
    sink.close()


@pytest.fixture
def hall(platform: Any, tenant_id: str) -> str:
    register_hall(platform, tenant_id)
    return tenant_id


@pytest.fixture
def partner(platform: Any) -> str:
    partner_id = new_partner_id()
    register_partner(platform, partner_id)
    return partner_id


@pytest.fixture
def make_relay(worker_pool: Any, relay_config: RelayConfig) -> Iterator[Callable[..., StreamRelay]]:
    """``make_relay(**kwargs)``: a StreamRelay on the test broker, closed after the test."""
    made: list[StreamRelay] = []

    def make(**kwargs: Any) -> StreamRelay:
        kwargs.setdefault("config", relay_config)
        kwargs.setdefault("worker_id", f"test-{uuid.uuid4().hex[:8]}")
        relay = StreamRelay(worker_pool, **kwargs)
        made.append(relay)
        return relay

    yield make
    for relay in made:
        relay.close()


@pytest.fixture
def fanout(worker_pool: Any, sink: KafkaSink) -> Iterator[PartnerFanout]:
    """Every partner's consumer, on the test broker (without the platform publisher)."""
    fanout = PartnerFanout(worker_pool, sink, lease_ttl=5.0, worker_id=uuid.uuid4().hex)
    yield fanout
    fanout.close()
