"""The relay publishes the slice's events to Kafka as CloudEvents (binary mode)."""

from __future__ import annotations

import json
import time
import uuid

import pytest
from kafka import KafkaConsumer

from services.catalog import CatalogService
from services.catalog.application import ItemTerms
from services.halls import HallRegistry
from services.relay import StreamRelay

pytestmark = pytest.mark.kafka


def _consume_hall(
    bootstrap: str, topics: list[str], tenant_id: str, expected: int, timeout: float = 30.0
) -> list:
    consumer = KafkaConsumer(
        *topics,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        group_id=f"test-{uuid.uuid4().hex}",
        enable_auto_commit=False,
    )
    found = []
    deadline = time.monotonic() + timeout
    try:
        while len(found) < expected and time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=500).values():
                found += [
                    r
                    for r in records
                    if dict(r.headers).get("ce_source") == f"/halls/{tenant_id}".encode()
                ]
    finally:
        consumer.close()
    return found


def test_relay_publishes_hall_and_item_events_as_cloudevents(
    platform, worker_pool, kafka_bootstrap_servers, tenant_id
):
    platform.hall_app(HallRegistry, tenant_id).register_hall("测试大厅", "苏州", "op-1")
    item = platform.hall_app(CatalogService, tenant_id).publish_service_item(
        "BDB-001",
        ItemTerms(
            name="帮办代办", category="ASSISTANCE", materials=["身份证"], promised_working_days=5
        ),
        "admin-1",
    )
    relay = StreamRelay(worker_pool, kafka_bootstrap_servers)
    topics = relay.ensure_topics()
    assert {"yanshen.halls", "yanshen.catalog"} <= set(topics)
    assert relay.run_once() >= 2

    records = _consume_hall(kafka_bootstrap_servers, topics, tenant_id, expected=2)
    by_id = {dict(r.headers)["ce_id"].decode(): r for r in records}
    assert set(by_id) == {f"{tenant_id}:1", f"{tenant_id}:2"}

    hall_msg, item_msg = by_id[f"{tenant_id}:1"], by_id[f"{tenant_id}:2"]
    assert hall_msg.topic == "yanshen.halls"
    assert dict(hall_msg.headers)["ce_type"] == b"cn.yanshen.halls.HallRegistered.v1"
    assert json.loads(hall_msg.value)["name"] == "测试大厅"

    headers = dict(item_msg.headers)
    assert item_msg.topic == "yanshen.catalog"
    assert headers["ce_specversion"] == b"1.0"
    assert headers["ce_type"] == b"cn.yanshen.catalog.ServiceItemPublished.v1"
    assert headers["ce_subject"] == str(item.id).encode()
    assert headers["content-type"].startswith(b"application/json")
    assert item_msg.key == f"{tenant_id}:{item.id}".encode()
    body = json.loads(item_msg.value)
    assert body["hall_id"] == tenant_id
    assert body["code"] == "BDB-001"
    assert body["materials"] == ["身份证"]
    assert body["hall_position"] == 2
    assert body["actor"] == "admin-1"

    # Its position advanced only with the acknowledged batch: nothing is pending now.
    assert tenant_id not in dict(
        platform.store.__class__(worker_pool).pending_tenants("relay:kafka")
    )
