"""Snapshots of queue days: a busy queue's day has hundreds of tickets, thousands of events.

Every command on a queue day loads the day; replaying all its events would make each command
slower as the day goes on (about 60 ms at 1,000 events, in memory). ``QueueService`` takes a
snapshot every :data:`SNAPSHOT_INTERVAL` events, so a load replays at most that many after
the latest snapshot. Snapshots are a cache beside the log (the ``snapshots`` table), never
part of the hash chain: the events alone remain the record, and a snapshot can be dropped.

A snapshot holds the day's state: its tickets (through :class:`TicketAsDict`) and line; the
day keeps no personal data (the phone of a mobile ticket is only in ``TicketIssued``).
When ``QueueDay``'s state changes shape, give it a ``class_version`` and an
``upcast_vN_vN+1`` for older snapshots.
"""

from __future__ import annotations

from typing import Any

from eventsourcing.persistence import Transcoding

from services.queue.domain.ticket import Ticket
from services.queue.domain.values import Channel, PriorityGroup, ServiceOutcome, TicketStatus

__all__ = ["SNAPSHOT_INTERVAL", "TicketAsDict"]

SNAPSHOT_INTERVAL = 100
"""Events between two snapshots of a queue day."""


class TicketAsDict(Transcoding):
    """A :class:`Ticket` in a snapshot: its fields (datetimes go through their own transcoding).

    >>> from datetime import datetime, UTC
    >>> at = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    >>> t = Ticket("ZH", "2026-03-02", 1, "A001", Channel.KIOSK, PriorityGroup.NONE, "", "", at, at)
    >>> TicketAsDict().decode(TicketAsDict().encode(t)) == t
    True
    """

    type = Ticket
    name = "queue_ticket"

    def encode(self, obj: Ticket) -> dict[str, Any]:
        # The fields as they are (the transcoder encodes each value): asdict() would deep-copy
        # every value of every ticket of a busy day first.
        return dict(vars(obj))

    def decode(self, data: dict[str, Any]) -> Ticket:
        values = dict(data)
        values["channel"] = Channel(values["channel"])
        values["priority_group"] = PriorityGroup(values["priority_group"])
        values["status"] = TicketStatus(values["status"])
        if values["outcome"] is not None:
            values["outcome"] = ServiceOutcome(values["outcome"])
        return Ticket(**values)
