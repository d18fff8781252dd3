"""A revocation takes back what a grant had not delivered yet: the rest of its backfill is
never sent (also after the relay failed mid-backfill), a replay re-sends only what the
backfill had delivered, and a new grant from the beginning sends the whole history again."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from services.partners import GrantStart
from services.relay import MemorySink, PartnerConsumer, SinkUnavailableError, replay
from services.relay.partners import hall_head
from services.relay.replay import delivered_position
from tests.integration.relay.support import (
    CallbackSink,
    catalog_history,
    grant,
    publish_items,
    revoke,
)

HISTORY = 40


def _consumer(worker_pool: Any, sink: MemorySink, partner: str) -> PartnerConsumer:
    return PartnerConsumer(
        worker_pool, sink, partner, worker_id=uuid.uuid4().hex, lease_ttl=5.0, batch_size=10
    )


def _positions(sink: MemorySink) -> list[int]:
    return [int(m.header("ce_id").rsplit(":", 1)[1]) for m in sink.messages]


def _revoked_mid_backfill(platform: Any, worker_pool: Any, hall: str, partner: str) -> Any:
    """A grant from the beginning whose backfill failed after two batches (20 of 40), one
    live event, then a revocation and one more event; the relay resumed after it."""
    catalog_history(platform, hall, HISTORY)
    granted_at = grant(platform, hall, partner, ["catalog.*"], start=GrantStart.BEGINNING)
    publish_items(platform, hall, ["LIVE"])  # granted: before the revocation

    def dies_at_the_third_batch(batch: int) -> None:
        if batch == 3:
            raise SinkUnavailableError("the broker went away")

    sink = CallbackSink(dies_at_the_third_batch)
    consumer = _consumer(worker_pool, sink, partner)
    try:
        with pytest.raises(SinkUnavailableError):
            consumer.catch_up()
        assert len(sink.messages) == 20
        revoke(platform, hall, partner)
        publish_items(platform, hall, ["AFTER"])
        sink.on_publish = lambda batch: None
        consumer.catch_up()
    finally:
        consumer.close()
    return sink, granted_at


def test_a_revocation_stops_a_backfill_that_was_not_delivered_yet(
    platform, worker_pool, hall, partner
):
    sink, granted_at = _revoked_mid_backfill(platform, worker_pool, hall, partner)
    positions = _positions(sink)
    # The 20 of the backfill delivered before, the live event before the revocation: no more.
    assert positions == [*range(2, 22), granted_at + 1]
    assert json.loads(sink.messages[-1].body)["code"] == "LIVE"
    with worker_pool.connection() as conn:
        assert delivered_position(worker_pool, partner, hall) == hall_head(conn, hall)


def test_a_new_grant_from_the_beginning_sends_the_whole_history_again(
    platform, worker_pool, hall, partner
):
    """A fresh grant from the beginning asks for the history: all of it, also what the
    revoked grant had sent (the same ce_id and bytes: the partner deduplicates) and what
    happened while no grant was active."""
    sink, _ = _revoked_mid_backfill(platform, worker_pool, hall, partner)
    sent_before = {m.header("ce_id"): m.body for m in sink.messages}
    regranted_at = grant(platform, hall, partner, ["catalog.*"], start=GrantStart.BEGINNING)
    again = MemorySink()
    consumer = _consumer(worker_pool, again, partner)
    try:
        consumer.catch_up()
    finally:
        consumer.close()
    catalog_positions = [*range(2, 2 + HISTORY), HISTORY + 3, HISTORY + 5]
    assert _positions(again) == catalog_positions  # in order, LIVE and AFTER included
    assert max(catalog_positions) < regranted_at
    for message in again.messages:
        if message.header("ce_id") in sent_before:
            assert message.body == sent_before[message.header("ce_id")]


def test_a_replay_re_sends_only_what_the_revoked_backfill_had_delivered(
    platform, worker_pool, hall, partner
):
    sink, _ = _revoked_mid_backfill(platform, worker_pool, hall, partner)
    grant(platform, hall, partner, ["catalog.*"])  # from now on: a replay is allowed again
    replayed = MemorySink()
    result = replay(worker_pool, replayed, partner, hall, 1)
    assert _positions(replayed) == _positions(sink)
    assert [m.body for m in replayed.messages] == [m.body for m in sink.messages]
    assert result.sent == 21


def test_a_backfill_finished_before_the_revocation_is_replayed_whole(
    platform, worker_pool, hall, partner
):
    catalog_history(platform, hall, 15)
    grant(platform, hall, partner, ["catalog.*"], start=GrantStart.BEGINNING)
    sink = MemorySink()
    consumer = _consumer(worker_pool, sink, partner)
    try:
        consumer.catch_up()
        revoke(platform, hall, partner)
        grant(platform, hall, partner, ["catalog.*"])
        consumer.catch_up()
    finally:
        consumer.close()
    assert len(sink.messages) == 15
    replayed = MemorySink()
    assert replay(worker_pool, replayed, partner, hall, 1).sent == 15
