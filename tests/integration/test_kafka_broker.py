"""The Kafka broker the tests get is a real one: topics, idempotent produce, consumer groups."""

from __future__ import annotations

import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition

pytestmark = pytest.mark.kafka

PARTITIONS = 3
KEYS = [f"tenant-{n}" for n in range(12)]
MESSAGES_PER_KEY = 5
CONSUME_TIMEOUT_S = 60.0


@pytest.fixture
def admin(kafka_bootstrap_servers: str) -> Iterator[KafkaAdminClient]:
    client = KafkaAdminClient(bootstrap_servers=kafka_bootstrap_servers)
    yield client
    client.close()


@pytest.fixture
def topic(admin: KafkaAdminClient) -> Iterator[str]:
    name = f"test-broker-{uuid.uuid4().hex[:12]}"
    admin.create_topics(
        {name: {"num_partitions": PARTITIONS, "replication_factor": 1}},
        wait_for_metadata=True,
    )
    yield name
    admin.delete_topics([name])


def _produce(bootstrap_servers: str, topic: str) -> list[tuple[str, int, int]]:
    """Send MESSAGES_PER_KEY messages per key, interleaved; return (key, seq, partition)."""
    producer = KafkaProducer(
        bootstrap_servers=bootstrap_servers, acks="all", enable_idempotence=True
    )
    try:
        futures = []
        for seq in range(MESSAGES_PER_KEY):
            for key in KEYS:
                future = producer.send(
                    topic,
                    key=key.encode(),
                    value=f"{key}:{seq}".encode(),
                    headers=[("tenant", key.encode()), ("seq", str(seq).encode())],
                )
                futures.append((key, seq, future))
        producer.flush(timeout=30)
        return [(key, seq, future.get(timeout=30).partition) for key, seq, future in futures]
    finally:
        producer.close()


def _consume(bootstrap_servers: str, topic: str, group: str, count: int) -> list[Any]:
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap_servers,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    records: list[Any] = []
    try:
        deadline = time.monotonic() + CONSUME_TIMEOUT_S
        while len(records) < count and time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=500).values():
                records.extend(batch)
        consumer.commit()
    finally:
        consumer.close()
    return records


def test_cluster_has_one_usable_broker(admin: KafkaAdminClient) -> None:
    cluster = admin.describe_cluster()
    assert cluster["cluster_id"]
    assert [b["is_fenced"] for b in cluster["brokers"]] == [False]


def test_topic_has_three_partitions(admin: KafkaAdminClient, topic: str) -> None:
    (described,) = admin.describe_topics([topic])
    assert described["error_code"] == 0
    assert sorted(p["partition_index"] for p in described["partitions"]) == [0, 1, 2]


def test_keyed_messages_round_trip_through_a_consumer_group(
    kafka_bootstrap_servers: str, admin: KafkaAdminClient, topic: str
) -> None:
    sent = _produce(kafka_bootstrap_servers, topic)
    total = len(KEYS) * MESSAGES_PER_KEY

    partition_of = {key: partition for key, _, partition in sent}
    # Keyed: every message of a key landed in that key's one partition, and the keys spread.
    assert all(partition == partition_of[key] for key, _, partition in sent)
    assert len(set(partition_of.values())) > 1

    group = f"group-{uuid.uuid4().hex[:12]}"
    records = _consume(kafka_bootstrap_servers, topic, group, total)
    assert len(records) == total

    seqs_by_key: dict[str, list[int]] = defaultdict(list)
    for record in records:
        key = record.key.decode()
        headers = dict(record.headers)
        seq = int(headers["seq"])
        assert headers["tenant"] == record.key
        assert record.value == f"{key}:{seq}".encode()
        assert record.partition == partition_of[key]
        seqs_by_key[key].append(seq)

    # Per-key order survives: within a partition the consumer sees the producer's order.
    assert seqs_by_key == {key: list(range(MESSAGES_PER_KEY)) for key in KEYS}

    # The group's committed offsets are the ends of the partitions: the coordinator is real.
    committed = admin.list_group_offsets(group)[group]
    counts: dict[int, int] = defaultdict(int)
    for _, _, partition in sent:
        counts[partition] += 1
    assert {tp.partition: meta.offset for tp, meta in committed.items() if tp.topic == topic} == {
        partition: counts.get(partition, 0) for partition in range(PARTITIONS)
    }
    assert TopicPartition(topic, partition_of[KEYS[0]]) in committed
