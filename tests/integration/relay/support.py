"""Helpers of the relay tests: consume a topic from the start, make halls, partners, events."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eventsourcing.persistence import StoredEvent
from kafka import KafkaConsumer, TopicPartition

from services.catalog import CatalogService
from services.catalog.application import ItemTerms
from services.halls import HallRegistry
from services.partners import PLATFORM_LOG, Grant, GrantStart, PartnerGrants, PartnerRegistry
from services.relay import CloudEvent, MemorySink
from services.staff import StaffService

TERMS = ItemTerms(name="帮办代办", category="ASSISTANCE", materials=["身份证"])


@dataclass(frozen=True)
class Message:
    """A consumed record, decoded."""

    topic: str
    partition: int
    offset: int
    key: str
    headers: dict[str, str]
    body: dict[str, Any]
    raw_headers: list[tuple[str, bytes]]
    raw_body: bytes

    @property
    def ce_id(self) -> str:
        return self.headers["ce_id"]

    @property
    def position(self) -> int:
        return int(self.ce_id.rsplit(":", 1)[1])


def producer_threads() -> set[threading.Thread]:
    """The network threads of this process's Kafka producers that are still running."""
    return {
        t
        for t in threading.enumerate()
        if t.name.startswith("kafka-python-producer") and t.name.endswith("-network-thread")
    }


def consume(
    bootstrap: str,
    topics: Iterable[str],
    *,
    until: Callable[[list[Message]], bool],
    keep: Callable[[Message], bool] = lambda m: True,
    timeout: float = 60.0,
) -> list[Message]:
    """Read ``topics`` from the beginning until ``until(kept messages)`` or the timeout.

    The partitions are assigned here, each as soon as its topic exists, not by a consumer
    group: a group's leader that joins while its metadata lacks a topic's partitions (just
    after a broker restart, say) assigns them to nobody, and the consumer reads nothing of
    that topic until its next metadata refresh, minutes later.
    """
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    found: list[Message] = []
    assigned: list[TopicPartition] = []
    waiting = list(dict.fromkeys(topics))
    deadline = time.monotonic() + timeout
    try:
        while not until(found) and time.monotonic() < deadline:
            if waiting:
                new = [
                    TopicPartition(topic, p)
                    for topic in waiting
                    for p in sorted(consumer.partitions_for_topic(topic))
                ]
                if new:
                    waiting = [t for t in waiting if t not in {tp.topic for tp in new}]
                    assigned += new
                    consumer.assign(assigned)  # the partitions assigned before keep their place
                    consumer.seek_to_beginning(*new)
                elif not assigned:
                    time.sleep(0.1)  # no topic yet: nothing to poll
                    continue
            for records in consumer.poll(timeout_ms=300).values():
                for r in records:
                    m = _message(r)
                    if keep(m):
                        found.append(m)
    finally:
        consumer.close()
    return found


def read_all(bootstrap: str, topic: str, timeout: float = 30.0) -> list[Message]:
    """Every message on ``topic`` up to its current end, partition by partition."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        ends = consumer.end_offsets(partitions)
        found: list[Message] = []
        deadline = time.monotonic() + timeout
        while any(consumer.position(p) < ends[p] for p in partitions):
            if time.monotonic() > deadline:
                raise TimeoutError(f"could not read {topic} to its end in {timeout}s")
            for records in consumer.poll(timeout_ms=300).values():
                found += [_message(r) for r in records]
    finally:
        consumer.close()
    return sorted(found, key=lambda m: (m.partition, m.offset))


def _json(value: bytes) -> dict[str, Any]:
    try:
        body = json.loads(value)
    except ValueError:  # not ours (e.g. another tool's message on a shared broker)
        return {}
    return body if isinstance(body, dict) else {}


def _message(r: Any) -> Message:
    return Message(
        topic=r.topic,
        partition=r.partition,
        offset=r.offset,
        key=(r.key or b"").decode(),
        headers={k: v.decode() for k, v in r.headers or ()},
        body=_json(r.value),
        raw_headers=list(r.headers),
        raw_body=r.value,
    )


def of_hall(tenant_id: str) -> Callable[[Message], bool]:
    return lambda m: m.headers.get("ce_source") == f"/halls/{tenant_id}"


def new_partner_id() -> str:
    return f"p-{uuid.uuid4().hex[:10]}"


def register_hall(platform: Any, tenant_id: str) -> None:
    platform.hall_app(HallRegistry, tenant_id).register_hall("测试大厅", "苏州", "op-1")


def register_partner(platform: Any, partner_id: str) -> None:
    registry = platform.store.application(PartnerRegistry, PLATFORM_LOG)
    registry.hall_id = PLATFORM_LOG
    registry.register_partner(partner_id, "测试伙伴", "ops@partner.example", "op-1")


def grant(
    platform: Any,
    tenant_id: str,
    partner_id: str,
    types: list[str],
    *,
    personal: bool = False,
    start: GrantStart = GrantStart.NOW,
) -> int:
    registry = platform.store.application(PartnerRegistry, PLATFORM_LOG)
    registry.hall_id = PLATFORM_LOG
    partner = registry.get_partner(partner_id)
    _, position = platform.hall_app(PartnerGrants, tenant_id).grant(
        partner, types, personal, start, "admin-1"
    )
    return int(position)


def record_grant(
    platform: Any,
    hall: str,
    partner: str,
    patterns: list[str],
    edit: Callable[[dict[str, Any]], None] = lambda state: None,
) -> None:
    """Record a GrantIssued as stored, its state changed by ``edit`` (an older version's, or
    one the application refuses now), bypassing the application's checks."""
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


def revoke(platform: Any, tenant_id: str, partner_id: str) -> int:
    _, position = platform.hall_app(PartnerGrants, tenant_id).revoke(partner_id, "ended", "a")
    return int(position)


def publish_items(platform: Any, tenant_id: str, codes: Iterable[str]) -> None:
    catalog = platform.hall_app(CatalogService, tenant_id)
    for code in codes:
        catalog.publish_service_item(code, TERMS, "admin-1")


def onboard(platform: Any, tenant_id: str, badge: str, name: str) -> None:
    platform.hall_app(StaffService, tenant_id).onboard_staff(
        badge, name, "WINDOW_STAFF", ["综合受理"], "admin-1"
    )


def catalog_history(platform: Any, hall: str, count: int) -> None:
    """``count`` catalog events of one item: its publication and ``count - 1`` revisions."""
    catalog = platform.hall_app(CatalogService, hall)
    catalog.publish_service_item("B-0", TERMS, "admin-1")
    for i in range(count - 1):
        terms = dataclasses.replace(TERMS, promised_working_days=i % 20 + 1)
        catalog.revise_service_item("B-0", terms, "admin-1")


class CallbackSink(MemorySink):
    """A memory sink that calls ``on_publish(batch number)`` before keeping each batch."""

    def __init__(self, on_publish: Callable[[int], None]) -> None:
        super().__init__()
        self.on_publish = on_publish
        self.batches: list[int] = []

    def publish(self, messages: Sequence[CloudEvent]) -> None:
        if messages:
            self.on_publish(len(self.batches) + 1)
            self.batches.append(len(messages))
        super().publish(messages)


def start_relay(
    database_url: str, kafka: str, log: Path, batch_size: int = 20
) -> subprocess.Popen[bytes]:
    """A real ``yanshen relay`` process (kill it with SIGKILL to test a crash)."""
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        KAFKA_BOOTSTRAP_SERVERS=kafka,
        YANSHEN_RELAY_WORKER_ID="kill-test-relay",  # a restart takes its halls back at once
        YANSHEN_RELAY_BATCH_SIZE=str(batch_size),
        YANSHEN_RELAY_POLL_INTERVAL="0.2",
    )
    yanshen = Path(sys.executable).with_name("yanshen")
    with log.open("ab") as out:
        return subprocess.Popen([str(yanshen), "relay"], env=env, stdout=out, stderr=out)


def stop_relay(relay: subprocess.Popen[bytes]) -> None:
    """Stop a :func:`start_relay` process as an operator would (SIGTERM), killing it if it
    has not stopped within 30 s."""
    relay.send_signal(signal.SIGTERM)
    try:
        relay.wait(timeout=30)
    except subprocess.TimeoutExpired:
        relay.kill()


def wait_until_delivered(
    relay: subprocess.Popen[bytes], store: Any, consumer: str, hall: str, log: Path, deadline: float
) -> None:
    """Wait until ``consumer`` (e.g. ``partner:<id>``) has nothing pending in ``hall``; fail
    with the relay's log if it exits or ``deadline`` (``time.monotonic()``) passes."""
    while hall in dict(store.pending_tenants(consumer)):
        assert relay.poll() is None, log.read_text()[-3000:]
        assert time.monotonic() < deadline, log.read_text()[-3000:]
        time.sleep(0.2)
