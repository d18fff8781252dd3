"""A revoked grant stops delivery to the partner from the revocation's position on, while
the relay runs and the hall keeps recording events."""

from __future__ import annotations

import threading
import time

import pytest

from services.catalog import CatalogService
from services.catalog.application import ItemTerms
from services.relay import partner_topic
from services.store import EventStore
from tests.integration.relay.support import grant, read_all, revoke

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
