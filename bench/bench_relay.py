"""Stream relay benchmarks of issue 7 (ratios against kafka-python measured in the same run).

1. **Throughput**: the relay (``StreamRelay``: read each hall's log from PostgreSQL, decode,
   build CloudEvents, send with the idempotent ``acks=all`` producer, wait for the
   acknowledgements of each batch, then advance the position) publishing a backlog of events
   of several halls, in events/s, against kafka-python's own ``KafkaProducer`` with the same
   settings sending the very same messages (pre-built, one flush at the end). Target ≥ 0.6×.
   Also the partner path (one partner granted everything, its own topic) against the same
   baseline.
2. **End-to-end latency** under a steady load: from the commit of an event (the save
   returned) to a ``KafkaConsumer``'s receipt of its message, median and p99, with the relay
   running as in production (woken by NOTIFY). Baseline: kafka-python's producer-to-consumer
   latency at the same rate and settings. Target p99 < 500 ms.

Needs ``DATABASE_URL`` and ``KAFKA_BOOTSTRAP_SERVERS`` (``make bench`` starts both).
"""

from __future__ import annotations

import os
import statistics
import threading
import time
import uuid
from datetime import datetime
from typing import Any

from kafka import KafkaConsumer, KafkaProducer

from bench.common import fresh_database, result
from deploy.bootstrap import Platform
from deploy.settings import Settings
from services.catalog import CatalogService, ServiceItem
from services.halls import HallRegistry
from services.partners import PLATFORM_LOG, GrantStart, PartnerGrants, PartnerRegistry
from services.relay import KafkaSink, PartnerFanout, RelayConfig, StreamRelay
from services.relay.messages import platform_message
from services.store import EventStore

__all__ = ["run"]

TARGET_RATIO = 0.6
TARGET_P99_MS = 500.0


def _item(hall: str, code: str, now: datetime) -> ServiceItem:
    return ServiceItem(
        hall_id=hall,
        code=code,
        name="帮办代办（全程代办）",
        category="ASSISTANCE",
        legal_basis="《政务延伸服务规范》帮办代办服务",
        materials=["申请人身份证件", "授权委托书"],
        promised_working_days=5,
        fee_cents=0,
        rated=True,
        actor="bench",
        timestamp=now,
    )


def _fill(platform: Platform, halls: list[str], per_hall: int) -> None:
    """``per_hall`` events per hall: the registration, then service items saved 50 a commit."""
    for hall in halls:
        platform.hall_app(HallRegistry, hall).register_hall("bench hall", "", "bench")
        catalog = platform.hall_app(CatalogService, hall)
        codes = [f"B-{i:06d}" for i in range(per_hall - 1)]
        for start in range(0, len(codes), 50):
            now = catalog.clock()
            catalog.save(*(_item(hall, c, now) for c in codes[start : start + 50]))


def _pending(platform: Platform, consumer: str, halls: list[str]) -> bool:
    pending = dict(EventStore(platform.worker_pool).pending_tenants(consumer))
    return any(h in pending for h in halls)


def _relay_rate(platform: Platform, config: RelayConfig, halls: list[str], n: int) -> float:
    relay = StreamRelay(platform.worker_pool, config=config, worker_id="bench")
    try:
        relay.ensure_topics()
        start = time.perf_counter()
        while _pending(platform, "relay:kafka", halls):
            relay.publisher.catch_up()
        return n / (time.perf_counter() - start)
    finally:
        relay.close()


def _partner_rate(platform: Platform, config: RelayConfig, halls: list[str], n: int) -> float:
    partner = f"bench-{uuid.uuid4().hex[:8]}"
    registry = platform.hall_app(PartnerRegistry, PLATFORM_LOG)
    registry.register_partner(partner, "bench partner", "", "bench")
    found = registry.get_partner(partner)
    for hall in halls:
        platform.hall_app(PartnerGrants, hall).grant(
            found, ["catalog.*", "halls.*"], True, GrantStart.BEGINNING, "bench"
        )
    sink = KafkaSink(config)
    fanout = PartnerFanout(platform.worker_pool, sink, batch_size=config.batch_size)
    try:
        fanout.refresh()
        start = time.perf_counter()
        while _pending(platform, f"partner:{partner}", halls):
            fanout.consumers[partner].catch_up()
        return n / (time.perf_counter() - start)
    finally:
        fanout.close()
        sink.close()


def _producer_rate(platform: Platform, config: RelayConfig, halls: list[str], n: int) -> float:
    """kafka-python alone: the same messages, the same settings, one flush at the end."""
    store = EventStore(platform.worker_pool)
    messages = []
    for hall in halls:
        for start in range(1, n + 1, 1000):
            for notification in store.recorder(hall).select_notifications(start, 1000):
                messages.append(platform_message(hall, notification))
    producer = KafkaProducer(**config.producer_options())
    try:
        first = messages[0]  # warm-up: connections and metadata, a message the relay sent too
        producer.send(first.topic, key=first.key, value=first.body, headers=first.headers).get(
            timeout=30
        )
        start = time.perf_counter()
        futures = [
            producer.send(m.topic, key=m.key, value=m.body, headers=m.headers) for m in messages
        ]
        producer.flush()
        for future in futures:
            future.get(timeout=30)
        return len(messages) / (time.perf_counter() - start)
    finally:
        producer.close()


class _Receiver:
    """A consumer thread recording when each message (by ``ce_id`` or key) arrived."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self.received: dict[str, float] = {}
        self._stop = threading.Event()
        self._consumer = KafkaConsumer(
            topic,
            bootstrap_servers=bootstrap,
            group_id=f"bench-{uuid.uuid4().hex}",
            auto_offset_reset="latest",
            fetch_max_wait_ms=10,
            enable_auto_commit=False,
        )
        while not self._consumer.assignment():  # joined the group: nothing is missed
            self._consumer.poll(timeout_ms=100)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            for records in self._consumer.poll(timeout_ms=50).values():
                now = time.time()
                for r in records:
                    ident = dict(r.headers).get("ce_id", r.key or b"").decode()
                    self.received.setdefault(ident, now)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        self._consumer.close()


def _percentiles(latencies_ms: list[float]) -> tuple[float, float]:
    ordered = sorted(latencies_ms)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return statistics.median(ordered), p99


def _relay_latency(
    platform: Platform, config: RelayConfig, rate: float, seconds: float
) -> tuple[float, float, int]:
    hall = f"lat-{uuid.uuid4().hex[:8]}"
    platform.hall_app(HallRegistry, hall).register_hall("latency hall", "", "bench")
    relay = StreamRelay(platform.worker_pool, config=config, worker_id="bench-latency")
    relay.ensure_topics()
    relay.run_once()  # everything older is out of the way
    runner = threading.Thread(target=relay.run_forever, daemon=True)
    runner.start()
    receiver = _Receiver(config.bootstrap_servers, "yanshen.catalog")
    committed: dict[str, float] = {}
    catalog = platform.hall_app(CatalogService, hall)
    try:
        interval, next_at = 1.0 / rate, time.perf_counter()
        for i in range(int(rate * seconds)):
            next_at += interval
            recordings = catalog.save(_item(hall, f"L-{i:06d}"))
            committed[f"{hall}:{recordings[-1].notification.id}"] = time.time()
            time.sleep(max(0.0, next_at - time.perf_counter()))
        deadline = time.monotonic() + 30
        while len(set(committed) & set(receiver.received)) < len(committed):
            if time.monotonic() > deadline:
                break
            time.sleep(0.1)
    finally:
        receiver.close()
        relay.stop()
        runner.join(timeout=30)
    latencies = [
        (receiver.received[k] - t) * 1000 for k, t in committed.items() if k in receiver.received
    ]
    median, p99 = _percentiles(latencies)
    return median, p99, len(committed) - len(latencies)


def _producer_latency(config: RelayConfig, rate: float, seconds: float) -> tuple[float, float]:
    topic = "yanshen.bench.latency"  # same partitions and settings, not a platform topic
    sink = KafkaSink(config)
    sink.ensure_topics([topic])
    sink.close()
    receiver = _Receiver(config.bootstrap_servers, topic)
    producer = KafkaProducer(**config.producer_options())
    sent: dict[str, float] = {}
    try:
        interval, next_at = 1.0 / rate, time.perf_counter()
        for i in range(int(rate * seconds)):
            next_at += interval
            key = f"baseline-{uuid.uuid4().hex[:6]}-{i}"
            sent[key] = time.time()
            producer.send(topic, key=key.encode(), value=b"{}")
            time.sleep(max(0.0, next_at - time.perf_counter()))
        producer.flush()
        deadline = time.monotonic() + 30
        while len(set(sent) & set(receiver.received)) < len(sent) and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        producer.close()
        receiver.close()
    return _percentiles(
        [(receiver.received[k] - t) * 1000 for k, t in sent.items() if k in receiver.received]
    )


def run(quick: bool) -> list[dict[str, Any]]:
    halls_n, per_hall = (2, 1500) if quick else (4, 10_000)
    rate, seconds = (100.0, 8.0) if quick else (200.0, 30.0)
    bootstrap = os.environ["KAFKA_BOOTSTRAP_SERVERS"]
    url = fresh_database("yanshen_bench_relay")
    config = RelayConfig.from_env().with_servers(bootstrap)
    platform = Platform.open(Settings(database_url=url), url)
    try:
        halls = [f"relay-{i}" for i in range(halls_n)]
        _fill(platform, halls, per_hall)
        n = halls_n * per_hall
        relay_rate = _relay_rate(platform, config, halls, n)
        partner_rate = _partner_rate(platform, config, halls, n)
        producer_rate = _producer_rate(platform, config, halls, per_hall)
        median, p99, lost = _relay_latency(platform, config, rate, seconds)
        base_median, base_p99 = _producer_latency(config, rate, seconds)
    finally:
        platform.close()
    throughput = {
        "events": n,
        "halls": halls_n,
        "batch_size": config.batch_size,
        "acks": "all",
        "idempotent": True,
        "linger_ms": config.linger_ms,
        "target_ratio": TARGET_RATIO,
    }
    latency = {
        "rate_per_s": rate,
        "seconds": seconds,
        "target_p99_ms": TARGET_P99_MS,
        "not_received": lost,
    }
    baseline = "kafka-python KafkaProducer, same messages and settings"
    return [
        result("relay.throughput", relay_rate, "events/s", baseline, producer_rate, throughput),
        result(
            "relay.partner_throughput",
            partner_rate,
            "events/s",
            baseline,
            producer_rate,
            {**throughput, "partners": 1, "grant": "catalog.*, halls.* from the beginning"},
        ),
        result(
            "relay.latency_p50",
            median,
            "ms",
            "kafka-python producer→consumer p50",
            base_median,
            latency,
        ),
        result(
            "relay.latency_p99", p99, "ms", "kafka-python producer→consumer p99", base_p99, latency
        ),
    ]
