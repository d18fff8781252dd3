"""The CloudEvents envelope a partner receives."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from services.catalog import ServiceItem
from services.relay.cloudevents import to_cloudevent

NOW = datetime(2026, 3, 2, 1, tzinfo=UTC)


def test_binary_mode_headers_key_and_body():
    item = ServiceItem(
        hall_id="demo",
        code="X1",
        name="热线",
        category="HOTLINE_CONSULTATION",
        legal_basis="",
        materials=[],
        promised_working_days=2,
        fee_cents=0,
        rated=True,
        actor="admin",
        timestamp=NOW,
    )
    event = item.collect_events()[0]
    message = to_cloudevent("demo", 7, event)
    assert message.topic == "yanshen.catalog"
    assert message.key == f"demo:{item.id}".encode()
    assert message.header("ce_specversion") == "1.0"
    assert message.header("ce_id") == "demo:7"
    assert message.header("ce_type") == "cn.yanshen.catalog.ServiceItemPublished.v1"
    assert message.header("ce_source") == "/halls/demo"
    assert message.header("ce_subject") == str(item.id)
    assert message.header("ce_time") == "2026-03-02T01:00:00+00:00"  # the event's timestamp
    body = json.loads(message.body)
    assert body["hall_position"] == 7
    assert body["name"] == "热线"
    assert body["code"] == "X1"


def test_re_sending_the_same_event_gives_the_same_id():
    item = ServiceItem(
        hall_id="demo",
        code="X1",
        name="n",
        category="OTHER",
        legal_basis="",
        materials=[],
        promised_working_days=0,
        fee_cents=0,
        rated=False,
        actor="a",
        timestamp=NOW,
    )
    event = item.collect_events()[0]
    assert to_cloudevent("demo", 3, event) == to_cloudevent("demo", 3, event)
