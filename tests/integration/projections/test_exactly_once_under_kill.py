"""Exactly once per (projection, hall), proven the hard way: ``kill -9`` a real worker
process in the middle of its batches, many times, while commands keep coming; restart it;
in the end every read model equals one rebuilt from position 0, and every event was
counted once."""

from __future__ import annotations

import random
import time

import psycopg
from eventsourcing.utils import get_topic

from services.rectifications import Rectification
from tests.integration.projections.support import (
    Probe,
    WorkerProcess,
    Writer,
    assert_identical_to_rebuild,
    caught_up,
    drive,
    make_halls,
    wait_until,
)

KILLS = 10
ENV = {
    "YANSHEN_PROJECTION_BATCH": "40",
    "YANSHEN_LEASE_TTL": "1",
    "YANSHEN_POLL_INTERVAL": "0.2",
}


def test_kill_9_in_the_middle_of_batches_never_loses_or_double_applies_an_event(
    admin_database_url, db_url, own_platform
):
    rng = random.Random(20261126)
    halls = make_halls(own_platform, ["crash-a", "crash-b", "crash-c", "crash-d"])
    drive(halls, 250)  # a backlog of about a thousand events before the first worker starts
    writer = Writer(halls)
    writer.start()
    mid_batch = 0
    try:
        for i in range(KILLS):
            worker = WorkerProcess(db_url, f"crash-{i}", **ENV).start()
            probe = Probe(admin_database_url, worker.app_name)
            try:
                wait_until(probe.in_batch, 30, "the worker applies batches")
                time.sleep(rng.uniform(0.0, 0.5))
                deadline = time.monotonic() + 1.0
                while not probe.in_batch() and time.monotonic() < deadline:
                    pass
                worker.kill()
                mid_batch += time.monotonic() < deadline
            finally:
                probe.close()
    finally:
        writer.stop()
    last = WorkerProcess(db_url, "crash-last", **ENV).start()
    try:
        wait_until(lambda: caught_up(db_url), 90, "the restarted worker catches up")
    finally:
        last.stop()
    assert mid_batch >= KILLS // 2, f"only {mid_batch} of {KILLS} kills hit a batch"
    with psycopg.connect(db_url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM events WHERE topic = %s", (get_topic(Rectification.Withdrawn),)
        ).fetchone()
    assert row is not None
    assert row[0] > 0  # the workload withdrew rectifications too
    assert_identical_to_rebuild(db_url, own_platform.worker_pool)
