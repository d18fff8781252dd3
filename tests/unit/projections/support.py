"""What the projections' unit tests share: stored rows of real domain events."""

from __future__ import annotations

from eventsourcing.domain import DomainEvent

from projections.runtime import EventRow
from services.store.decoding import mapper


def stored_rows(events: list[DomainEvent], state: dict[int, bytes] | None = None) -> list[EventRow]:
    """Stored rows of ``events`` at positions 1, 2, … as the applications store them
    (``state``: a row's stored state instead, by position)."""
    rows = []
    for position, event in enumerate(events, start=1):
        stored = mapper().to_stored_event(event)
        data = (state or {}).get(position, stored.state)
        oid, version, topic = str(stored.originator_id), stored.originator_version, stored.topic
        rows.append(EventRow(position, oid, version, topic, data))
    return rows
