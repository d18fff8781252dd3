"""Two real worker processes share the halls (leases): each event is applied once, and when
one is killed the survivor takes its halls over after the lease TTL."""

from __future__ import annotations

import psycopg

from tests.integration.projections.support import (
    WorkerProcess,
    Writer,
    assert_identical_to_rebuild,
    caught_up,
    make_halls,
    wait_until,
)

ENV = {
    "YANSHEN_PROJECTION_BATCH": "10",
    "YANSHEN_LEASE_TTL": "2",
    "YANSHEN_POLL_INTERVAL": "0.2",
}
HALLS = [f"pair-{c}" for c in "abcdef"]


def _holders(url: str) -> dict[str, set[str]]:
    """Live leases: worker id → halls (of any projection)."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT worker_id, tenant_id FROM consumer_leases"
            " WHERE consumer = 'projections' AND expires_at > clock_timestamp()"
        ).fetchall()
    holders: dict[str, set[str]] = {}
    for worker, hall in rows:
        holders.setdefault(worker, set()).add(hall)
    return holders


def test_two_workers_apply_each_event_once_and_the_survivor_takes_over(db_url, own_platform):
    halls = make_halls(own_platform, HALLS)
    a = WorkerProcess(db_url, "pair-a", YANSHEN_WORKER_ID="a", **ENV).start()
    b = WorkerProcess(db_url, "pair-b", YANSHEN_WORKER_ID="b", **ENV).start()
    writer = Writer(halls, pause=0.002)
    writer.start()
    try:
        wait_until(lambda: set(_holders(db_url)) == {"a", "b"}, 60, "both workers hold halls")
        a.kill()
        wait_until(
            lambda: set(_holders(db_url)) == {"b"} and _holders(db_url)["b"] == set(HALLS),
            30,
            "the survivor holds every hall",
        )
    finally:
        writer.stop()
        try:
            wait_until(lambda: caught_up(db_url), 60, "the survivor catches up")
        finally:
            b.stop()
            a.stop()
    assert_identical_to_rebuild(db_url, own_platform.worker_pool)
