"""Several relay processes share the halls through leases: no hall is published twice."""

from __future__ import annotations

import threading
from collections import Counter

from services.relay import MemorySink
from tests.integration.relay.support import publish_items, register_hall

HALLS = 4
EVENTS = 25


def test_two_relays_publish_every_event_of_every_hall_exactly_once(platform, tenant_id, make_relay):
    halls = [f"{tenant_id}-{i}" for i in range(HALLS)]
    for hall in halls:
        register_hall(platform, hall)
        publish_items(platform, hall, [f"X{j}" for j in range(EVENTS - 1)])
    sinks = [MemorySink(), MemorySink()]
    relays = [make_relay(sink=s, batch_size=6, lease_ttl=30) for s in sinks]
    for relay in relays:
        relay.publisher.leases.claim([])  # both heartbeat first: each takes its share
    rounds = [threading.Thread(target=r.run_once) for r in relays for _ in range(3)]
    for t in rounds:
        t.start()
    for t in rounds:
        t.join()
    for relay in relays:
        relay.run_once()
    held = [r.publisher.leases.claim([]) for r in relays]
    sent = Counter(
        m.header("ce_id") for s in sinks for m in s.messages if m.header("ce_source")[7:] in halls
    )
    assert set(sent) == {f"{h}:{p}" for h in halls for p in range(1, EVENTS + 1)}
    assert set(sent.values()) == {1}
    assert not held[0] & held[1]
