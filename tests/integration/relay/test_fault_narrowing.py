"""A grant narrowed while a real relay was killed mid-backfill: after the restart, the rest of
the backfill reaches the partner's topic without personal data, what was delivered before
the kill stays as it was, and every event of the history arrives."""

from __future__ import annotations

import signal
import time

import pytest

from services.partners import GrantStart
from services.relay import partner_topic
from services.store import EventStore
from services.store.consumer import lock_consumer_position
from tests.integration.relay.support import (
    grant,
    onboard,
    read_all,
    start_relay,
    stop_relay,
    wait_until_delivered,
)

pytestmark = pytest.mark.kafka

STAFF = 40


def _cursor(worker_pool, name: str, hall: str) -> int:
    with worker_pool.connection() as conn:
        row = conn.execute(
            "SELECT position FROM consumer_positions WHERE consumer = %s AND tenant_id = %s",
            (name, hall),
        ).fetchone()
    return int(row[0]) if row else 0


@pytest.mark.xdist_group("relay-subprocess")
def test_a_relay_killed_mid_backfill_sends_the_rest_narrowed_after_the_change(
    platform, worker_pool, database_url, kafka_bootstrap_servers, hall, partner, tmp_path
):
    for i in range(STAFF):
        onboard(platform, hall, f"S{i}", f"张{i}")
    granted_at = grant(
        platform, hall, partner, ["staff.*"], personal=True, start=GrantStart.BEGINNING
    )
    cursor = f"partner:{partner}:backfill:{granted_at}"
    log = tmp_path / "relay.log"
    relay = start_relay(database_url, kafka_bootstrap_servers, log, batch_size=5)
    held = worker_pool.getconn()
    try:
        deadline = time.monotonic() + 60
        while _cursor(worker_pool, cursor, hall) < 10:
            assert relay.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.02)
        # Hold the backfill where it is (its cursor row locked: the relay's batches give up,
        # the one in flight committed) so that the kill is certainly mid-backfill.
        held.execute("BEGIN")
        lock_consumer_position(held, cursor, hall)
        relay.send_signal(signal.SIGKILL)
        relay.wait()
        held.execute("ROLLBACK")
        before = read_all(kafka_bootstrap_servers, partner_topic(partner))
        assert 10 <= len(before) < STAFF, "the backfill was not under way when killed"
        changed_at = grant(platform, hall, partner, ["staff.*"], personal=False)
        onboard(platform, hall, "AFTER", "王五")
        relay = start_relay(database_url, kafka_bootstrap_servers, log, batch_size=5)
        store = EventStore(worker_pool)
        wait_until_delivered(relay, store, f"partner:{partner}", hall, log, deadline)
    finally:
        worker_pool.putconn(held)
        stop_relay(relay)
    after = read_all(kafka_bootstrap_servers, partner_topic(partner))
    names = {m.position: m.body["name"] for m in after}
    assert sorted(names) == [*range(2, 2 + STAFF), changed_at + 1]  # each once, all of them
    assert len(after) == len(names)
    delivered_before = {m.position for m in before}
    assert delivered_before == set(range(2, 2 + len(before)))  # a prefix, with names
    assert all(names[p] == f"张{p - 2}" for p in delivered_before)
    rest = [m for m in after if m.position not in delivered_before]
    assert rest
    assert all(m.body["name"] is None for m in rest)
    assert all(m.headers["ce_redacted"] == "name" for m in rest)
