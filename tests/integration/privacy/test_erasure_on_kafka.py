"""What the relay publishes after an erasure carries no personal data (platform topics)."""

from __future__ import annotations

import json
import uuid

import pytest

from services.complaints import ComplaintService
from services.complaints.application import ComplaintDetails
from services.privacy import ERASED, PrivacyService
from services.relay import RelayConfig, StreamRelay
from tests.integration.relay.support import consume, of_hall

pytestmark = pytest.mark.kafka


def test_events_published_after_an_erasure_show_the_marker(
    platform, worker_pool, hall, kafka_bootstrap_servers
):
    details = ComplaintDetails(
        channel="PHONE",
        facts="端木测试在窗口等候超过两小时",
        applicant_id="a-kafka",
        complainant_name="端木测试",
        complainant_phone="13512345678",
    )
    complaint = platform.hall_app(ComplaintService, hall).receive_complaint(details, "a-kafka")
    platform.hall_app(PrivacyService, hall).erase_personal_data("a-kafka", "请求删除", "admin-1")

    relay = StreamRelay(
        worker_pool,
        config=RelayConfig(bootstrap_servers=kafka_bootstrap_servers, lease_ttl=5.0),
        worker_id=f"test-{uuid.uuid4().hex[:8]}",
    )
    try:
        topics = relay.ensure_topics()
        assert relay.run_once() >= 3
    finally:
        relay.close()
    assert {"yanshen.complaints", "yanshen.privacy"} <= set(topics)
    records = consume(
        kafka_bootstrap_servers,
        ["yanshen.complaints", "yanshen.privacy"],
        keep=of_hall(hall),
        until=lambda found: len(found) >= 2,
    )
    received = next(r for r in records if r.topic == "yanshen.complaints")
    assert received.headers["ce_subject"] == str(complaint.id)
    body = received.body
    assert (body["complainant_name"], body["complainant_phone"], body["facts"]) == (ERASED,) * 3
    erased = next(r for r in records if r.topic == "yanshen.privacy")
    assert erased.body["subject_id"] == "a-kafka"
    raw = json.dumps([r.body for r in records], ensure_ascii=False)
    for plain in ("端木测试", "13512345678", "等候超过两小时"):
        assert plain not in raw
