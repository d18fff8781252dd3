"""Each partner gets its own topic with only what halls granted it, redacted unless the
grant includes personal data; grants from the beginning backfill; replay re-sends."""

from __future__ import annotations

import pytest

from services.partners import GrantStart
from services.relay import partner_topic, replay
from tests.integration.relay.support import (
    grant,
    new_partner_id,
    onboard,
    publish_items,
    read_all,
    register_hall,
    register_partner,
    revoke,
)

pytestmark = pytest.mark.kafka

STAFF = "staff.StaffOnboarded"
ITEMS = "catalog.ServiceItemPublished"


def _types(messages):
    return [m.headers["ce_type"].split(".")[-2] for m in messages]


def test_a_partner_gets_only_the_granted_types_of_the_granting_hall_redacted(
    platform, kafka_bootstrap_servers, hall, partner, fanout, tenant_id
):
    other = f"{tenant_id}-b"
    register_hall(platform, other)
    onboard(platform, hall, "S1", "张三")  # before the grant: not delivered
    at = grant(platform, hall, partner, [STAFF, ITEMS])
    onboard(platform, hall, "S2", "李四")
    publish_items(platform, hall, ["X1"])
    onboard(platform, other, "S9", "王五")  # another hall: never granted
    fanout.catch_up()

    found = read_all(kafka_bootstrap_servers, partner_topic(partner))
    found.sort(key=lambda m: m.position)
    assert _types(found) == ["StaffOnboarded", "ServiceItemPublished"]
    staff, item = found
    assert staff.position > at
    assert staff.headers["ce_source"] == f"/halls/{hall}"
    assert staff.body["badge_number"] == "S2"
    assert staff.body["name"] is None  # personal data, not granted
    assert staff.headers["ce_redacted"] == "name"
    assert item.body["code"] == "X1"
    assert "ce_redacted" not in item.headers  # no personal fields in this type


def test_personal_data_reaches_a_partner_whose_grant_includes_it(
    platform, kafka_bootstrap_servers, hall, partner, fanout
):
    grant(platform, hall, partner, [STAFF], personal=True)
    onboard(platform, hall, "S1", "张三")
    fanout.catch_up()
    (staff,) = read_all(kafka_bootstrap_servers, partner_topic(partner))
    assert staff.body["name"] == "张三"
    assert "ce_redacted" not in staff.headers


def test_a_grant_from_the_beginning_backfills_the_newly_granted_types_in_order(
    platform, kafka_bootstrap_servers, hall, partner, fanout
):
    onboard(platform, hall, "S1", "张三")
    publish_items(platform, hall, ["X1", "X2"])
    grant(platform, hall, partner, [STAFF], start=GrantStart.BEGINNING)
    onboard(platform, hall, "S2", "李四")
    fanout.catch_up()
    topic = partner_topic(partner)
    assert sorted(m.body["badge_number"] for m in read_all(kafka_bootstrap_servers, topic)) == [
        "S1",
        "S2",
    ]

    grant(platform, hall, partner, [STAFF, ITEMS], start=GrantStart.BEGINNING)
    publish_items(platform, hall, ["X3"])
    fanout.catch_up()
    found = read_all(kafka_bootstrap_servers, topic)
    # The items' history, then the new item; the staff history is not sent twice.
    assert sorted(m.body.get("badge_number") or m.body["code"] for m in found) == [
        "S1",
        "S2",
        "X1",
        "X2",
        "X3",
    ]
    assert len({m.ce_id for m in found}) == len(found)


def test_a_revocation_stops_delivery_and_a_new_grant_resumes_it(
    platform, kafka_bootstrap_servers, hall, partner, fanout
):
    grant(platform, hall, partner, [ITEMS])
    publish_items(platform, hall, ["X1"])
    revoked_at = revoke(platform, hall, partner)
    publish_items(platform, hall, ["X2"])
    fanout.catch_up()
    grant(platform, hall, partner, [ITEMS])
    publish_items(platform, hall, ["X3"])
    fanout.catch_up()
    found = read_all(kafka_bootstrap_servers, partner_topic(partner))
    found.sort(key=lambda m: m.position)
    assert [m.body["code"] for m in found] == ["X1", "X3"]
    assert found[0].position < revoked_at < found[1].position


def test_partners_have_their_own_topics_and_positions(
    platform, kafka_bootstrap_servers, hall, partner, fanout
):
    second = new_partner_id()
    register_partner(platform, second)
    grant(platform, hall, partner, [ITEMS])
    grant(platform, hall, second, [STAFF])
    publish_items(platform, hall, ["X1"])
    onboard(platform, hall, "S1", "张三")
    fanout.catch_up()
    assert _types(read_all(kafka_bootstrap_servers, partner_topic(partner))) == [
        "ServiceItemPublished"
    ]
    assert _types(read_all(kafka_bootstrap_servers, partner_topic(second))) == ["StaffOnboarded"]


def test_replay_re_sends_the_same_messages_with_the_same_ce_ids(
    platform, worker_pool, kafka_bootstrap_servers, hall, partner, fanout, sink
):
    grant(platform, hall, partner, [ITEMS, STAFF])
    publish_items(platform, hall, ["X1", "X2"])
    onboard(platform, hall, "S1", "张三")
    fanout.catch_up()
    topic = partner_topic(partner)
    first = sorted(read_all(kafka_bootstrap_servers, topic), key=lambda m: m.position)
    assert len(first) == 3

    seen = []
    result = replay(
        worker_pool,
        sink,
        partner,
        hall,
        first[1].position,
        batch_size=1,
        progress=lambda p, upto: seen.append((p, upto)),
    )
    assert result.sent == 2
    assert seen[-1] == (result.upto, result.upto)
    found = read_all(kafka_bootstrap_servers, topic)
    again = sorted((m for m in found if m.ce_id != first[0].ce_id), key=lambda m: m.position)
    assert [(m.ce_id, m.raw_body, m.raw_headers) for m in again] == [
        (m.ce_id, m.raw_body, m.raw_headers) for m in first[1:] for _ in (1, 2)
    ]
