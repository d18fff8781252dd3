"""The projections' decoder gives the very events the recorders' decoder gives."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from uuid import uuid4

import pytest
from eventsourcing.persistence import (
    MapperDeserialisationError,
    StoredEvent,
)
from eventsourcing.utils import get_topic

from projections.runtime import EventRow, decode_row
from services.catalog import CatalogService
from services.catalog.application import ItemTerms
from services.halls import HallRegistry
from services.queue import QueueDay
from services.store.decoding import decode, mapper

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def _row(originator_id: str, version: int, topic: str, state: bytes) -> EventRow:
    return EventRow(1, originator_id, version, topic, state)


def _same(row: EventRow) -> None:
    stored = decode(
        StoredEvent(
            originator_id=row.originator_id,
            originator_version=row.originator_version,
            topic=row.topic,
            state=row.state,
        )
    )
    fast = decode_row(row)
    assert type(fast) is type(stored)
    assert vars(fast) == vars(stored)
    assert {k: type(v) for k, v in vars(fast).items()} == {
        k: type(v) for k, v in vars(stored).items()
    }


def test_the_applications_events_decode_alike(hall_apps):
    hall_apps(HallRegistry, "h1").register_hall("一号大厅", "苏州", "op")
    catalog = hall_apps(CatalogService, "h1")
    terms = ItemTerms(name="帮办代办", category="ASSISTANCE", materials=["身份证"])
    catalog.publish_service_item("X1", terms, "admin")
    catalog.revise_service_item("X1", terms, "admin")
    notifications = catalog.recorder.select_notifications(start=1, limit=100)
    assert len(notifications) == 3
    for n in notifications:
        _same(_row(str(n.originator_id), n.originator_version, n.topic, n.state))


def _encoded(state: dict[str, object]) -> bytes:
    return mapper().transcoder.encode(state)


@pytest.mark.parametrize(
    "state",
    [
        {"timestamp": NOW, "nested": [{"at": NOW, "id": uuid4()}, [Decimal("1.50")]]},
        {"timestamp": NOW, "looks_transcoded": {"_type_": "x", "_data_": "y", "third": 1}},
        {"timestamp": NOW, "pair": {"a": 1, "b": {"_type_": "decimal_str", "_data_": "2"}}},
        {"timestamp": NOW, "big": 2**70, "unicode": "大厅\u2028", "float": 0.1},
    ],
)
def test_nested_and_unusual_states_decode_alike(state):
    topic = get_topic(QueueDay.TicketIssued)
    _same(_row(str(uuid4()), 3, topic, _encoded(state)))
    _same(_row(str(uuid4()), 3, topic, _encoded(state).replace(b"0.1", b"NaN")))


def test_an_unknown_transcoding_fails_alike():
    state = b'{"timestamp":{"_type_":"unknown","_data_":"x"}}'
    row = _row(str(uuid4()), 1, get_topic(QueueDay.TicketIssued), state)
    with pytest.raises(MapperDeserialisationError):
        decode_row(row)
