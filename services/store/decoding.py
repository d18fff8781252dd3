"""Stored events back into domain events, the way the applications wrote them (for consumers
that read hall logs without an application: projections, the relay, audits)."""

from __future__ import annotations

from functools import cache
from typing import Any

from eventsourcing.domain import DomainEvent
from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    Mapper,
    StoredEvent,
    UUIDAsHex,
)

__all__ = ["decode", "mapper"]


@cache
def mapper() -> Mapper[Any]:
    """The applications' mapper: domain events to stored events and back (the same
    transcodings as ``eventsourcing.application.Application.register_transcodings``)."""
    transcoder = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO()):
        transcoder.register(transcoding)
    return Mapper(transcoder=transcoder)


def decode(stored: StoredEvent) -> DomainEvent:
    """The domain event of a stored event (or notification)."""
    event = mapper().to_domain_event(stored)
    assert isinstance(event, DomainEvent)  # every Yanshen event is an aggregate event
    return event
