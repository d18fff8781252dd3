"""kill -9 of a real ``yanshen relay`` process at random moments under steady load, then a
restart: every event reaches its topic at least once, in order per aggregate, and every
duplicate carries the same ``ce_id`` and the same bytes. Also for a partner's topic."""

from __future__ import annotations

import random
import signal
import threading
import time
from collections import defaultdict

import pytest

from services.catalog import CatalogService
from services.catalog.application import ItemTerms
from services.partners import GrantStart
from services.relay import partner_topic
from services.store import EventStore
from tests.integration.relay.support import (
    grant,
    of_hall,
    publish_items,
    read_all,
    start_relay,
    stop_relay,
)

pytestmark = [pytest.mark.kafka, pytest.mark.xdist_group("relay-subprocess")]

ITEMS = [f"K-{i}" for i in range(6)]
LOAD_SECONDS = 8.0
KILLS = 4


def _load(platform, hall: str, stop: threading.Event, errors: list[BaseException]) -> None:
    catalog = platform.hall_app(CatalogService, hall)
    days = 0
    try:
        while not stop.is_set():
            days += 1
            for code in ITEMS:
                catalog.revise_service_item(
                    code,
                    ItemTerms(
                        name="帮办代办", category="ASSISTANCE", promised_working_days=days % 60
                    ),
                    "admin-1",
                )
            time.sleep(0.05)
    except BaseException as error:  # surfaced by the test
        errors.append(error)


def _check_stream(messages, expected_positions: set[int]) -> None:
    """At least once, in order per aggregate, duplicates identical."""
    assert {m.position for m in messages} >= expected_positions
    by_id = {}
    for m in messages:
        if m.ce_id in by_id:
            first = by_id[m.ce_id]
            assert (m.raw_body, m.raw_headers, m.key) == (
                first.raw_body,
                first.raw_headers,
                first.key,
            )
        else:
            by_id[m.ce_id] = m
    per_key = defaultdict(list)
    for m in sorted(messages, key=lambda m: (m.partition, m.offset)):
        if by_id[m.ce_id] is m:  # first occurrence
            per_key[m.key].append(m.body["aggregate_version"])
    for key, versions in per_key.items():
        assert versions == sorted(versions), key
        assert versions == list(range(versions[0], versions[0] + len(versions))), key


def test_killed_relays_lose_nothing_and_keep_order(
    platform, worker_pool, database_url, kafka_bootstrap_servers, hall, partner, tmp_path
):
    publish_items(platform, hall, ITEMS)
    grant(platform, hall, partner, ["catalog.*"], start=GrantStart.BEGINNING)
    log = tmp_path / "relay.log"
    relay = start_relay(database_url, kafka_bootstrap_servers, log)
    stop, errors = threading.Event(), []
    loader = threading.Thread(target=_load, args=(platform, hall, stop, errors))
    loader.start()
    rng = random.Random()
    kills = 0
    try:
        started = time.monotonic()
        while kills < KILLS and time.monotonic() - started < LOAD_SECONDS:
            time.sleep(rng.uniform(0.5, 2.0))
            relay.send_signal(signal.SIGKILL)
            relay.wait()
            kills += 1
            relay = start_relay(database_url, kafka_bootstrap_servers, log)
        stop.set()
        loader.join()
        assert not errors, errors
        head = EventStore(worker_pool).recorder(hall).max_notification_id()
        deadline = time.monotonic() + 120
        store = EventStore(worker_pool)
        while any(
            hall in dict(store.pending_tenants(c)) for c in ("relay:kafka", f"partner:{partner}")
        ):
            assert relay.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.5)
    finally:
        stop.set()
        loader.join()
        stop_relay(relay)
    assert kills == KILLS
    catalog_positions = set(range(2, head + 1)) - {len(ITEMS) + 2}  # not the grant itself
    platform_messages = [
        m
        for m in read_all(kafka_bootstrap_servers, "yanshen.catalog", timeout=180)
        if of_hall(hall)(m)
    ]
    _check_stream(platform_messages, catalog_positions)

    partner_messages = read_all(kafka_bootstrap_servers, partner_topic(partner))
    _check_stream(partner_messages, catalog_positions)
