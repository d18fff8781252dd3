"""Workers pick new events up at once: woken by NOTIFY after each commit, polling when a
notification is missed. (The benchmark measures the latency; here: within seconds.)"""

from __future__ import annotations

from projections.catalog import get_item
from services.catalog.application import ItemTerms
from tests.integration.projections.support import (
    WorkerProcess,
    caught_up,
    make_halls,
    wait_until,
)


def _terms(name: str) -> ItemTerms:
    return ItemTerms(name=name, category="ASSISTANCE")


def test_a_worker_woken_by_notify_shows_each_commit_within_seconds(db_url, own_platform):
    hall = make_halls(own_platform, ["fresh-notify"])[0]
    # A poll only every minute: only NOTIFY can make it this fast.
    worker = WorkerProcess(db_url, "fresh-notify", YANSHEN_POLL_INTERVAL="60").start()
    try:
        wait_until(lambda: caught_up(db_url), 30, "the worker starts")
        for i in range(5):
            name = f"第{i}版"
            hall.catalog.revise_service_item("ITEM-0000", _terms(name), "admin")
            wait_until(
                lambda name=name: (
                    get_item(own_platform.app_pool, hall.hall_id, "ITEM-0000").name == name
                ),
                5,
                f"revision {i} is visible",
            )
    finally:
        worker.kill()  # SIGTERM would wait for the minute's poll to end


def test_an_event_committed_without_notify_is_picked_up_by_the_poll(db_url, own_platform):
    hall = make_halls(own_platform, ["fresh-poll"])[0]
    worker = WorkerProcess(db_url, "fresh-poll", YANSHEN_POLL_INTERVAL="0.5").start()
    try:
        wait_until(lambda: caught_up(db_url), 30, "the worker starts")
        catalog = hall.catalog
        item = catalog.get_item("ITEM-0000")
        item.revise("悄悄改", "ASSISTANCE", "", [], 1, 0, True, catalog.clock(), "admin")
        stored = [catalog.mapper.to_stored_event(e) for e in item.collect_events()]
        with own_platform.app_pool.connection() as conn:  # the append function, no NOTIFY
            conn.execute(
                "SELECT yanshen_append(%s, %s, %s, %s, %s)",
                (
                    hall.hall_id,
                    [str(s.originator_id) for s in stored],
                    [s.originator_version for s in stored],
                    [s.topic for s in stored],
                    [s.state for s in stored],
                ),
            )
        wait_until(
            lambda: get_item(own_platform.app_pool, hall.hall_id, "ITEM-0000").name == "悄悄改",
            5,
            "the polled event is visible",
        )
    finally:
        worker.stop()
