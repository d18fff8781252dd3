"""A revoked grant stops delivery to the partner from the revocation's position on, while
the relay runs and the hall keeps recording events; the part of its backfill not delivered
yet is never sent, also when the relay was killed mid-backfill."""

from __future__ import annotations

import signal
import threading
import time
import uuid

import pytest

from services.catalog import CatalogService
from services.catalog.application import ItemTerms
from services.partners import GrantStart
from services.relay import PartnerConsumer, partner_topic, replay
from services.store import EventStore
from services.store.consumer import lock_consumer_position
from tests.integration.relay.support import (
    catalog_history,
    grant,
    publish_items,
    read_all,
    revoke,
    start_relay,
    stop_relay,
    wait_until_delivered,
)

pytestmark = pytest.mark.kafka


def test_nothing_after_the_revocation_reaches_the_partner(
    platform, worker_pool, kafka_bootstrap_servers, hall, partner, make_relay
):
    granted_at = grant(platform, hall, partner, ["catalog.*"])
    relay = make_relay(poll_interval=0.1, batch_size=7)
    runner = threading.Thread(target=relay.run_forever, daemon=True)
    runner.start()
    catalog = platform.hall_app(CatalogService, hall)
    positions: list[int] = []
    revoked_at = 0
    try:
        for i in range(60):
            catalog.publish_service_item(f"R-{i}", ItemTerms(name="n", category="OTHER"), "a")
            positions.append(EventStore(worker_pool).recorder(hall).max_notification_id())
            if i == 30:
                revoked_at = revoke(platform, hall, partner)
            time.sleep(0.02)
        store = EventStore(worker_pool)
        deadline = time.monotonic() + 60
        while hall in dict(store.pending_tenants(f"partner:{partner}")):
            assert time.monotonic() < deadline
            time.sleep(0.2)
    finally:
        relay.stop()
        runner.join(timeout=30)
    delivered = {m.position for m in read_all(kafka_bootstrap_servers, partner_topic(partner))}
    assert delivered == {p for p in positions if granted_at < p < revoked_at}
    assert max(delivered) < revoked_at < max(positions)


def _backfill_cursor(worker_pool, partner: str, hall: str, granted_at: int) -> int:
    with worker_pool.connection() as conn:
        row = conn.execute(
            "SELECT position FROM consumer_positions WHERE consumer = %s AND tenant_id = %s",
            (f"partner:{partner}:backfill:{granted_at}", hall),
        ).fetchone()
    return int(row[0]) if row else 0


@pytest.mark.xdist_group("relay-subprocess")
def test_a_relay_killed_mid_backfill_sends_no_more_of_it_after_the_revocation(
    platform, worker_pool, database_url, kafka_bootstrap_servers, hall, partner, tmp_path
):
    """kill -9 of a real relay while it backfills, a revocation, a restart: the partner's
    topic holds what was delivered before the kill and nothing more of the backfill."""
    catalog_history(platform, hall, 120)
    granted_at = grant(platform, hall, partner, ["catalog.*"], start=GrantStart.BEGINNING)
    log = tmp_path / "relay.log"
    relay = start_relay(database_url, kafka_bootstrap_servers, log, batch_size=5)
    held = worker_pool.getconn()
    try:
        deadline = time.monotonic() + 60
        while _backfill_cursor(worker_pool, partner, hall, granted_at) < 10:
            assert relay.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.02)
        # Hold the backfill where it is (its cursor row locked: the relay's batches give up)
        # so that the kill is certainly mid-backfill, then kill.
        held.execute("BEGIN")
        lock_consumer_position(held, f"partner:{partner}:backfill:{granted_at}", hall)
        relay.send_signal(signal.SIGKILL)
        relay.wait()
        held.execute("ROLLBACK")
        before = {m.position for m in read_all(kafka_bootstrap_servers, partner_topic(partner))}
        assert 10 <= len(before) < 120, "the backfill was not under way when killed"
        revoke(platform, hall, partner)
        publish_items(platform, hall, ["AFTER"])
        relay = start_relay(database_url, kafka_bootstrap_servers, log, batch_size=5)
        store = EventStore(worker_pool)
        wait_until_delivered(relay, store, f"partner:{partner}", hall, log, deadline)
    finally:
        worker_pool.putconn(held)
        stop_relay(relay)
    after = {m.position for m in read_all(kafka_bootstrap_servers, partner_topic(partner))}
    assert after == before
    assert before == set(range(2, 2 + len(before)))  # a prefix of the history, in order


def test_revoked_mid_backfill_then_granted_from_the_beginning_on_the_broker(
    platform, worker_pool, kafka_bootstrap_servers, sink, hall, partner
):
    """On a real broker: the revocation cuts the backfill after its first two batches; a
    new grant from the beginning sends the whole history (the same ce_id and bytes for what
    was sent before); a replay under it re-sends what the topic holds, nothing else."""
    catalog_history(platform, hall, 30)
    grant(platform, hall, partner, ["catalog.*"], start=GrantStart.BEGINNING)
    consumer = PartnerConsumer(
        worker_pool, sink, partner, worker_id=uuid.uuid4().hex, lease_ttl=5.0, batch_size=10
    )
    topic = partner_topic(partner)
    sink.ensure_topics([topic])  # what the relay's fanout does for a new partner
    try:
        sent = 0
        while sent < 20:  # batch by batch, up to the first two of the backfill
            done, more = consumer._deliver(hall)
            assert more
            sent += done
        revoke(platform, hall, partner)
        consumer.catch_up()
        first = read_all(kafka_bootstrap_servers, topic)
        assert sorted(m.position for m in first) == list(range(2, 22))
        regranted_at = grant(platform, hall, partner, ["catalog.*"], start=GrantStart.BEGINNING)
        consumer.catch_up()
    finally:
        consumer.close()
    found = read_all(kafka_bootstrap_servers, topic)
    assert {m.position for m in found} == set(range(2, 32))
    assert max(m.position for m in found) < regranted_at
    by_id = {}
    for m in found:
        assert by_id.setdefault(m.ce_id, m).raw_body == m.raw_body
    assert len(found) == 20 + 30
    assert replay(worker_pool, sink, partner, hall, 1).sent == 30
