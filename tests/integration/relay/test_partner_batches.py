"""A partner consumer works batch by batch, each a short transaction of its own: a position
row another session holds stops only that hall, a long catch-up keeps its lease (and stops
once it lost it), and a backfill from the beginning goes batch by batch under its cursor."""

from __future__ import annotations

import json
import threading
import time
import uuid
from typing import Any

import pytest

from services.partners import GrantStart
from services.relay import MemorySink, PartnerConsumer, SinkUnavailableError
from services.relay.partners import PartnerFanout
from services.relay.replay import delivered_position
from services.store.consumer import lock_consumer_position
from services.store.leases import LeaseManager
from tests.integration.relay.support import (
    CallbackSink,
    catalog_history,
    grant,
    publish_items,
    register_hall,
)

ITEMS = "catalog.ServiceItemPublished"


def _codes(sink: MemorySink) -> list[str]:
    return [json.loads(m.body)["code"] for m in sink.messages]


def _consumer(worker_pool: Any, sink: MemorySink, partner: str, **options: Any) -> PartnerConsumer:
    options.setdefault("worker_id", uuid.uuid4().hex)
    options.setdefault("lease_ttl", 5.0)
    return PartnerConsumer(worker_pool, sink, partner, **options)


def test_a_locked_position_row_stops_only_its_hall(platform, worker_pool, tenant_id, partner):
    busy, free = f"{tenant_id}-busy", f"{tenant_id}-free"
    for hall in (busy, free):
        register_hall(platform, hall)
        grant(platform, hall, partner, [ITEMS])
        publish_items(platform, hall, ["H-1", "H-2"])
    sink = MemorySink()
    fanout = PartnerFanout(worker_pool, sink, worker_id=uuid.uuid4().hex, lease_ttl=5.0)
    frozen = worker_pool.getconn()  # the session of a frozen relay that lost its lease
    try:
        frozen.execute("BEGIN")
        lock_consumer_position(frozen, f"partner:{partner}", busy)
        finished = threading.Event()
        thread = threading.Thread(target=lambda: (fanout.catch_up(), finished.set()), daemon=True)
        thread.start()
        assert finished.wait(10), "the relay waits for the locked position row"
        assert {m.header("ce_source") for m in sink.messages} == {f"/halls/{free}"}
        assert delivered_position(worker_pool, partner, busy) == 0
    finally:
        frozen.execute("ROLLBACK")
        worker_pool.putconn(frozen)
    fanout.catch_up()  # the row is free again: the hall catches up
    assert sorted(_codes(sink)) == ["H-1", "H-1", "H-2", "H-2"]
    fanout.close()


def test_a_long_catch_up_keeps_its_lease(platform, worker_pool, hall, partner):
    grant(platform, hall, partner, [ITEMS])
    publish_items(platform, hall, [f"L-{i}" for i in range(8)])
    other = LeaseManager(worker_pool, f"partner:{partner}", ttl=1.0)
    taken: list[set[str]] = []

    def slowly(batch: int) -> None:
        time.sleep(0.25)  # 8 batches: twice the lease's TTL
        if batch == 6:
            taken.append(other.claim([hall]))

    sink = CallbackSink(slowly)
    consumer = _consumer(worker_pool, sink, partner, batch_size=1, lease_ttl=1.0)
    try:
        assert consumer.catch_up() == 8
    finally:
        consumer.close()
        other.release()
    assert taken == [set()], "the lease expired during the catch-up: another relay took the hall"


def test_a_catch_up_stops_once_its_lease_was_taken_over(platform, worker_pool, hall, partner):
    grant(platform, hall, partner, [ITEMS])
    publish_items(platform, hall, [f"T-{i}" for i in range(10)])
    other = LeaseManager(worker_pool, f"partner:{partner}", ttl=5.0)

    def take_over(batch: int) -> None:
        time.sleep(0.2)
        if batch == 2:  # as if this relay had frozen for longer than the TTL
            with worker_pool.connection() as conn:
                conn.execute(
                    "UPDATE consumer_leases SET expires_at = clock_timestamp() - interval '1s' "
                    "WHERE consumer = %s AND tenant_id = %s",
                    (f"partner:{partner}", hall),
                )
            assert other.claim([hall]) == {hall}

    sink = CallbackSink(take_over)
    consumer = _consumer(worker_pool, sink, partner, batch_size=1, lease_ttl=0.6)
    try:
        sent = consumer.catch_up()
    finally:
        consumer.close()
        other.release()
    assert 2 <= sent <= 4, f"went on with a hall another relay holds ({sent} sent)"


def test_a_backfill_goes_batch_by_batch_in_transactions_of_their_own(
    platform, worker_pool, hall, partner
):
    catalog_history(platform, hall, 60)
    at = grant(platform, hall, partner, ["catalog.*"], start=GrantStart.BEGINNING)
    publish_items(platform, hall, ["AFTER"])
    sink = MemorySink()
    consumer = _consumer(worker_pool, sink, partner, batch_size=10)
    calls: list[int] = []
    deliver = consumer._deliver

    def one_transaction(tenant_id: str) -> tuple[int, bool]:
        sent, more = deliver(tenant_id)
        calls.append(sent)
        assert delivered_position(worker_pool, partner, hall) < at or len(sink.messages) >= 60
        return sent, more

    consumer._deliver = one_transaction  # type: ignore[method-assign]
    try:
        assert consumer.catch_up() == 61
    finally:
        consumer.close()
    assert max(calls) <= 10, f"a transaction sent {max(calls)} messages (batch size 10)"
    assert len(calls) >= 6
    positions = [int(m.header("ce_id").rsplit(":", 1)[1]) for m in sink.messages]
    assert positions == sorted(positions)
    assert len(set(positions)) == 61
    assert sink.messages[-1].body.decode().count('"AFTER"') == 1  # the live event comes last


def test_a_failed_backfill_resumes_where_it_was(platform, worker_pool, hall, partner):
    catalog_history(platform, hall, 40)
    grant(platform, hall, partner, ["catalog.*"], start=GrantStart.BEGINNING)

    def broker_fails(batch: int) -> None:
        if batch == 3:
            raise SinkUnavailableError("down")

    sink = CallbackSink(broker_fails)
    consumer = _consumer(worker_pool, sink, partner, batch_size=10)
    try:
        with pytest.raises(SinkUnavailableError):
            consumer.catch_up()
        assert len(sink.messages) == 20
        sink.on_publish = lambda batch: None
        assert consumer.catch_up() == 20  # the two batches sent are not sent again
    finally:
        consumer.close()
    assert len({m.header("ce_id") for m in sink.messages}) == 40
