"""The relay publishes every hall's events to the platform topics as CloudEvents (binary
mode), advancing its position only after the broker acknowledged."""

from __future__ import annotations

import socket
import time
import uuid
from dataclasses import replace

import pytest
from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType
from kafka.errors import KafkaTimeoutError

from services.catalog import CatalogService
from services.catalog.application import ItemTerms
from services.halls import HallRegistry
from services.relay import KafkaSink, MemorySink, RelayConfig
from services.store import EventStore
from tests.integration.relay.support import consume, of_hall, producer_threads, publish_items

pytestmark = pytest.mark.kafka


def _pending(worker_pool, tenant_id: str) -> bool:
    return tenant_id in dict(EventStore(worker_pool).pending_tenants("relay:kafka"))


def test_relay_publishes_hall_and_item_events_as_cloudevents(
    platform, worker_pool, kafka_bootstrap_servers, tenant_id, make_relay
):
    platform.hall_app(HallRegistry, tenant_id).register_hall("测试大厅", "苏州", "op-1")
    item = platform.hall_app(CatalogService, tenant_id).publish_service_item(
        "BDB-001",
        ItemTerms(
            name="帮办代办", category="ASSISTANCE", materials=["身份证"], promised_working_days=5
        ),
        "admin-1",
    )
    relay = make_relay()
    topics = relay.ensure_topics()
    assert {"yanshen.halls", "yanshen.catalog", "yanshen.partners"} <= set(topics)
    assert relay.run_once() >= 2

    records = consume(
        kafka_bootstrap_servers, topics, keep=of_hall(tenant_id), until=lambda f: len(f) >= 2
    )
    by_id = {r.ce_id: r for r in records}
    assert set(by_id) == {f"{tenant_id}:1", f"{tenant_id}:2"}

    hall_msg, item_msg = by_id[f"{tenant_id}:1"], by_id[f"{tenant_id}:2"]
    assert hall_msg.topic == "yanshen.halls"
    assert hall_msg.headers["ce_type"] == "cn.yanshen.halls.HallRegistered.v1"
    assert hall_msg.body["name"] == "测试大厅"

    headers = item_msg.headers
    assert item_msg.topic == "yanshen.catalog"
    assert headers["ce_specversion"] == "1.0"
    assert headers["ce_type"] == "cn.yanshen.catalog.ServiceItemPublished.v1"
    assert headers["ce_source"] == f"/halls/{tenant_id}"
    assert headers["ce_subject"] == str(item.id)
    assert headers["ce_time"].startswith(item.created_on.isoformat()[:19])
    assert headers["content-type"].startswith("application/json")
    assert item_msg.key == f"{tenant_id}:{item.id}"
    body = item_msg.body
    assert body["hall_id"] == tenant_id
    assert body["code"] == "BDB-001"
    assert body["materials"] == ["身份证"]
    assert body["hall_position"] == 2
    assert body["actor"] == "admin-1"

    # Its position advanced only with the acknowledged batch: nothing is pending now.
    assert not _pending(worker_pool, tenant_id)


def test_the_position_does_not_move_while_the_broker_does_not_acknowledge(
    platform, worker_pool, tenant_id, make_relay
):
    platform.hall_app(HallRegistry, tenant_id).register_hall("测试大厅", "苏州", "op-1")
    sink = MemorySink()
    relay = make_relay(sink=sink)
    sink.down = True
    assert relay.run_once() == 0
    assert relay.backoff.delay > 0  # backing off
    assert _pending(worker_pool, tenant_id)
    sink.down = False
    relay.backoff.succeeded()  # do not wait out the backoff in the test
    assert relay.run_once() >= 1
    assert not _pending(worker_pool, tenant_id)
    assert f"{tenant_id}:1" in {m.header("ce_id") for m in sink.messages}


def _dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again: nothing listens there


def test_a_dead_broker_address_keeps_the_hall_pending_and_backs_off(
    platform, worker_pool, tenant_id, make_relay
):
    platform.hall_app(HallRegistry, tenant_id).register_hall("测试大厅", "苏州", "op-1")
    relay = make_relay(
        config=RelayConfig(bootstrap_servers=f"127.0.0.1:{_dead_port()}", connect_timeout_ms=500)
    )
    assert relay.run_once() == 0
    first = relay.backoff.delay
    assert first > 0
    relay.backoff._retry_at = 0.0  # retry now: the delay doubles
    assert relay.run_once() == 0
    assert relay.backoff.delay == 2 * first
    assert _pending(worker_pool, tenant_id)


def test_a_producer_that_cannot_flush_is_stopped_when_the_sink_closes(
    kafka_bootstrap_servers, monkeypatch
):
    """Records in flight to a broker that restarted can outlive the delivery timeout;
    kafka-python's ``close`` then raises from its ``flush`` before it stops the producer's
    thread. The sink stops that thread anyway (the relay sends the records again)."""
    before = producer_threads()
    sink = KafkaSink(RelayConfig(bootstrap_servers=kafka_bootstrap_servers))
    producer = sink._get_producer()
    assert producer_threads() - before  # its network thread runs
    real_flush, failed = producer.flush, []

    def flush_failing_once(timeout: float | None = None) -> None:
        if not failed:
            failed.append(timeout)
            raise KafkaTimeoutError("Timeout waiting for future")
        real_flush(timeout)

    monkeypatch.setattr(producer, "flush", flush_failing_once)
    sink.close()
    assert failed
    deadline = time.monotonic() + 10
    while producer_threads() - before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not producer_threads() - before


def test_topics_are_created_with_the_configured_partitions_and_retention(
    kafka_bootstrap_servers,
):
    topic = f"yanshen.partner.t-{uuid.uuid4().hex[:8]}"
    config = RelayConfig(bootstrap_servers=kafka_bootstrap_servers, partitions=2)
    sink = KafkaSink(replace(config, retention_ms=3_600_000))
    sink.ensure_topics([topic])
    sink.ensure_topics([topic])  # idempotent
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap_servers)
    try:
        (described,) = admin.describe_topics([topic])
        configs = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
    finally:
        admin.close()
    assert len(described["partitions"]) == 2
    assert all(len(p["replica_nodes"]) == 1 for p in described["partitions"]), described
    # how long an erased subject's data can stay on the topic (ADR 0002)
    assert configs["topic"][topic]["retention.ms"]["value"] == "3600000"


def test_one_aggregates_events_share_a_key_and_stay_in_order(
    platform, kafka_bootstrap_servers, hall, make_relay
):
    publish_items(platform, hall, ["K-1"])
    catalog = platform.hall_app(CatalogService, hall)
    for days in range(1, 6):
        catalog.revise_service_item(
            "K-1",
            ItemTerms(name="帮办代办", category="ASSISTANCE", promised_working_days=days),
            "admin-1",
        )
    relay = make_relay()
    relay.run_once()
    found = consume(
        kafka_bootstrap_servers,
        ["yanshen.catalog"],
        keep=of_hall(hall),
        until=lambda f: len(f) >= 6,
    )
    assert len({(m.key, m.partition) for m in found}) == 1
    assert [m.body["aggregate_version"] for m in found] == [1, 2, 3, 4, 5, 6]


def test_a_recorded_holiday_schedule_is_published_on_the_holidays_topic(
    platform, kafka_bootstrap_servers, make_relay
):
    """The platform log (tenant ``platform``) is relayed too: a schedule operators record
    reaches ``yanshen.holidays`` and validates against its contract."""
    from contracts import EVENT_TYPES, validate_payload
    from services.holidays import HolidaySchedules
    from services.shared.ids import PLATFORM_LOG

    notice = f"国办发明电〔2096〕{uuid.uuid4().hex[:8]}号"
    app = platform.hall_app(HolidaySchedules, PLATFORM_LOG)
    app.record_schedule(2097, ["2097-01-01"], [], notice, "op-1")
    relay = make_relay()
    relay.ensure_topics()
    for _ in range(100):  # the platform log may hold other tests' events before it
        if not relay.run_once():
            break
    (found,) = consume(
        kafka_bootstrap_servers,
        ["yanshen.holidays"],
        keep=lambda m: m.body.get("notice") == notice,
        until=lambda f: len(f) >= 1,
    )
    assert found.headers["ce_source"] == f"/halls/{PLATFORM_LOG}"
    assert found.headers["ce_type"] in {
        "cn.yanshen.holidays.HolidayScheduleRecorded.v1",
        "cn.yanshen.holidays.HolidayScheduleReplaced.v1",
    }
    event_type = {t.cloudevents_type: t for t in EVENT_TYPES}[found.headers["ce_type"]]
    validate_payload(event_type, {k: v for k, v in found.body.items() if k != "hall_position"})
    assert found.body["rest_days"] == ["2097-01-01"]
