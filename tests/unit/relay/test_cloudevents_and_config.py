"""The partner variant of the envelope (redaction), relay settings, backoff, topic names."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from services.relay import RelayConfig
from services.relay.cloudevents import to_cloudevent
from services.relay.topics import domain_topics, partner_topic, platform_topics
from services.staff.domain import StaffMember
from services.store.backoff import Backoff


def _onboarded():
    member = StaffMember(
        hall_id="demo",
        badge_number="B1",
        name="张三",
        role="WINDOW_STAFF",
        skills=[],
        actor="admin",
        timestamp=datetime(2026, 3, 2, 1, tzinfo=UTC),
    )
    return member.collect_events()[0]


def test_redaction_nulls_personal_fields_and_names_them_in_a_header():
    event = _onboarded()
    full = to_cloudevent("demo", 4, event, topic="yanshen.partner.tax")
    redacted = to_cloudevent("demo", 4, event, topic="yanshen.partner.tax", redact=True)
    assert json.loads(full.body)["name"] == "张三"
    assert json.loads(redacted.body)["name"] is None
    assert redacted.header("ce_redacted") == "name"
    assert "ce_redacted" not in dict(full.headers)
    assert redacted.topic == "yanshen.partner.tax"
    assert redacted.header("ce_id") == full.header("ce_id") == "demo:4"
    assert to_cloudevent("demo", 4, event).topic == "yanshen.staff"


def test_relay_settings_come_from_the_environment():
    config = RelayConfig.from_env(
        {
            "KAFKA_BOOTSTRAP_SERVERS": "k1:9093,k2:9093",
            "YANSHEN_KAFKA_PARTITIONS": "12",
            "YANSHEN_KAFKA_REPLICATION_FACTOR": "3",
            "YANSHEN_KAFKA_MIN_INSYNC_REPLICAS": "2",
            "YANSHEN_KAFKA_RETENTION_MS": "86400000",
            "YANSHEN_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
            "YANSHEN_KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
            "YANSHEN_KAFKA_SASL_USERNAME": "yanshen-relay",
            "YANSHEN_KAFKA_SASL_PASSWORD": "secret",
            "YANSHEN_RELAY_WORKER_ID": "relay-0",
        }
    )
    assert config.topic_options() == {
        "num_partitions": 12,
        "replication_factor": 3,
        "configs": {"retention.ms": "86400000", "min.insync.replicas": "2"},
    }
    producer = config.producer_options()
    assert producer["bootstrap_servers"] == ["k1:9093", "k2:9093"]
    assert (producer["acks"], producer["enable_idempotence"]) == ("all", True)
    assert producer["sasl_mechanism"] == "SCRAM-SHA-512"
    assert producer["security_protocol"] == "SASL_SSL"
    assert config.worker_id == "relay-0"
    assert "secret" not in repr(config)
    # Erased subjects' data leave Kafka within a week unless an operator says otherwise.
    assert RelayConfig.from_env({}).topic_options() == {
        "num_partitions": 3,
        "replication_factor": 1,
        "configs": {"retention.ms": str(7 * 24 * 3600 * 1000)},
    }


def test_backoff_doubles_to_a_ceiling_and_resets():
    now = [0.0]
    backoff = Backoff(initial=0.5, maximum=4.0, clock=lambda: now[0])
    assert [backoff.failed() for _ in range(5)] == [0.5, 1.0, 2.0, 4.0, 4.0]
    assert not backoff.ready()
    now[0] = 10.0
    assert backoff.ready()
    backoff.succeeded()
    assert backoff.failed() == 0.5


def test_topic_names():
    assert partner_topic("tax-bureau") == "yanshen.partner.tax-bureau"
    assert "yanshen.queue" in platform_topics()
    assert domain_topics(["halls.HallRegistered"]) == ["services.halls.domain:Hall.Registered"]
