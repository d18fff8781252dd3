"""A grant changed while its backfill is pending narrows what is left of the backfill: no
personal data or no dropped type goes out after the change (also after a failed batch),
what was delivered stays delivered, a replay re-sends each part as it was sent, and a
grant that adds types from the beginning still backfills them."""

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
    onboard,
    publish_items,
)

STAFF = 30


def _consumer(worker_pool: Any, sink: MemorySink, partner: str) -> PartnerConsumer:
    return PartnerConsumer(
        worker_pool, sink, partner, worker_id=uuid.uuid4().hex, lease_ttl=5.0, batch_size=10
    )


def _staff_history(platform: Any, hall: str) -> None:
    for i in range(STAFF):
        onboard(platform, hall, f"S{i}", f"张{i}")


def _delivered(sink: MemorySink) -> list[tuple[int, str, str | None]]:
    """(position, event type, staff name or None) of each message, in order."""
    found = []
    for m in sink.messages:
        body = json.loads(m.body)
        name = m.header("ce_type").removeprefix("cn.yanshen.").rsplit(".v", 1)[0]
        found.append((int(m.header("ce_id").rsplit(":", 1)[1]), name, body.get("name")))
    return found


def _fails_at_the_third_batch(platform: Any, worker_pool: Any, hall: str, partner: str) -> Any:
    """Deliver the backfill until its third batch fails (20 messages delivered)."""

    def dies(batch: int) -> None:
        if batch == 3:
            raise SinkUnavailableError("the broker went away")

    sink = CallbackSink(dies)
    consumer = _consumer(worker_pool, sink, partner)
    try:
        with pytest.raises(SinkUnavailableError):
            consumer.catch_up()
    finally:
        consumer.close()
    assert len(sink.messages) == 20
    sink.on_publish = lambda batch: None
    return sink


def _catch_up(worker_pool: Any, sink: MemorySink, partner: str) -> None:
    consumer = _consumer(worker_pool, sink, partner)
    try:
        consumer.catch_up()
    finally:
        consumer.close()


def test_personal_data_taken_off_mid_backfill_is_not_sent_with_the_rest(
    platform, worker_pool, hall, partner
):
    """staff.* with personal data from the beginning; the relay fails after 20 of the 30;
    the hall takes personal data off: the other 10, and what follows, arrive redacted."""
    _staff_history(platform, hall)
    granted_at = grant(
        platform, hall, partner, ["staff.*"], personal=True, start=GrantStart.BEGINNING
    )
    onboard(platform, hall, "LIVE", "李四")  # live, before the change: positions decide
    sink = _fails_at_the_third_batch(platform, worker_pool, hall, partner)
    changed_at = grant(platform, hall, partner, ["staff.*"], personal=False)
    onboard(platform, hall, "AFTER", "王五")
    _catch_up(worker_pool, sink, partner)

    delivered = _delivered(sink)
    assert [p for p, _, _ in delivered] == [*range(2, 2 + STAFF), granted_at + 1, changed_at + 1]
    assert [n for _, _, n in delivered[:20]] == [f"张{i}" for i in range(20)]
    assert [n for _, _, n in delivered[20:STAFF]] == [None] * 10  # after the change
    assert [m.header("ce_redacted") for m in sink.messages[20:STAFF]] == ["name"] * 10
    assert delivered[STAFF][2] == "李四"  # granted with personal data at its position
    assert delivered[-1][2] is None
    with worker_pool.connection() as conn:
        assert delivered_position(worker_pool, partner, hall) == hall_head(conn, hall)


def _mixed_history(platform: Any, hall: str) -> None:
    """Staff and catalog events interleaved: 20 of each."""
    for i in range(20):
        onboard(platform, hall, f"S{i}", f"张{i}")
        publish_items(platform, hall, [f"I-{i}"])


def test_a_type_dropped_mid_backfill_is_not_sent_with_the_rest(
    platform, worker_pool, hall, partner
):
    _mixed_history(platform, hall)
    grant(
        platform, hall, partner, ["staff.*", "catalog.*"], personal=True, start=GrantStart.BEGINNING
    )
    sink = _fails_at_the_third_batch(platform, worker_pool, hall, partner)
    grant(platform, hall, partner, ["catalog.*"], personal=True, start=GrantStart.BEGINNING)
    _catch_up(worker_pool, sink, partner)

    delivered = _delivered(sink)
    first, rest = delivered[:20], delivered[20:]
    assert {t for _, t, _ in first} == {"staff.StaffOnboarded", "catalog.ServiceItemPublished"}
    assert rest
    assert {t for _, t, _ in rest} == {"catalog.ServiceItemPublished"}
    assert [p for p, _, _ in rest] == sorted(p for p, _, _ in rest)
    assert rest[0][0] > first[-1][0]  # on from where the backfill was, nothing twice
    catalog_positions = {p for p, t, _ in delivered if t.startswith("catalog.")}
    assert len(catalog_positions) == 20  # the catalog history whole

    # Granting staff again from now on widens nothing back: the rest stays undelivered,
    # and a replay re-sends of the staff history only what the backfill had delivered.
    grant(platform, hall, partner, ["staff.*", "catalog.*"], personal=True)
    _catch_up(worker_pool, sink, partner)
    assert len(sink.messages) == len(delivered)
    replayed = MemorySink()
    replay(worker_pool, replayed, partner, hall, 1)
    assert _delivered(replayed) == delivered


def test_a_narrowing_before_the_backfill_started_narrows_all_of_it(
    platform, worker_pool, hall, partner
):
    _staff_history(platform, hall)
    grant(platform, hall, partner, ["staff.*"], personal=True, start=GrantStart.BEGINNING)
    grant(platform, hall, partner, ["staff.*"], personal=False)
    sink = MemorySink()
    _catch_up(worker_pool, sink, partner)
    assert [n for _, _, n in _delivered(sink)] == [None] * STAFF
    replayed = MemorySink()
    assert replay(worker_pool, replayed, partner, hall, 1).sent == STAFF


def test_a_grant_adding_types_from_the_beginning_still_backfills_them(
    platform, worker_pool, hall, partner
):
    """Widening is no narrowing: the pending backfill goes on as granted, then the added
    types' history follows, each with the personal data its grant included."""
    _staff_history(platform, hall)
    catalog_history(platform, hall, 5)
    grant(platform, hall, partner, ["staff.*"], personal=True, start=GrantStart.BEGINNING)
    sink = _fails_at_the_third_batch(platform, worker_pool, hall, partner)
    grant(
        platform, hall, partner, ["staff.*", "catalog.*"], personal=True, start=GrantStart.BEGINNING
    )
    _catch_up(worker_pool, sink, partner)
    delivered = _delivered(sink)
    assert [n for _, _, n in delivered[:STAFF]] == [f"张{i}" for i in range(STAFF)]
    assert [t for _, t, _ in delivered[STAFF:]] == ["catalog.ServiceItemPublished"] + [
        "catalog.ServiceItemRevised"
    ] * 4
