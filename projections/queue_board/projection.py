"""Projection "queue_board": the live queue board of every hall.

Rows follow the events alone: each ticket keeps the times its events carried (issued, first
called, called, started, ended), each window the number it called last, each hall its
waiting-time target, each service day the target in force when it started. The statistics
of a service day are computed from that day's tickets against that day's target when the
board is read (:mod:`projections.queue_board.view`), so they are exact for any day and a
later change of the target leaves the days started before it as they were.

The hall's configuration events (hall, queues, windows, staff) are applied one statement
each, in order; the queue days' events — most of a busy hall's log — are folded per batch
(:mod:`projections.queue_board.tickets`) and written at the batch's end, the common ones read
from their stored rows (:mod:`projections.queue_days`), not decoded.
"""

from __future__ import annotations

from functools import singledispatchmethod
from typing import Any

import psycopg

from projections.queue_board.setup import SETUP_EFFECTS
from projections.queue_board.statements import execute
from projections.queue_board.tickets import DayTargets, TicketFold, queue_of_day
from projections.queue_days import TOPICS, DayStarted, views
from projections.runtime import Batch, Projection
from services.queue import QUEUE_DAY_EVENTS, QueueDay

__all__ = ["QueueBoardProjection"]


class QueueBoardProjection(Projection):
    """Keeps the ``queue_board_*`` tables in step with the halls' queues and windows."""

    name = "queue_board"
    tables = (
        "queue_board_halls",
        "queue_board_queues",
        "queue_board_windows",
        "queue_board_staff",
        "queue_board_days",
        "queue_board_tickets",
        "queue_board_day_targets",
    )
    reader_indexes = ("queue_board_days_day", "queue_board_tickets_day")
    raw_topics = TOPICS
    version = 2
    """2: waits measured from the visitor's wait start (``sql/0002``), a ticket transferred
    from a window waiting again from the transfer, each day's own waiting target
    (``sql/0003``)."""

    @singledispatchmethod
    def apply(self, event: Any, conn: psycopg.Connection, tenant_id: str, position: int) -> None:
        """Other events change nothing here."""

    def _setup(self, event: Any, conn: psycopg.Connection, tenant_id: str, position: int) -> None:
        statements = SETUP_EFFECTS[type(event)](event)
        execute(
            conn,
            statements,
            tenant_id=tenant_id,
            position=position,
            originator_id=event.originator_id,
        )

    def _ticket(self, event: Any, conn: psycopg.Connection, tenant_id: str, position: int) -> None:
        if type(event) is QueueDay.Started:
            targets = DayTargets(tenant_id)
            targets.keep(event, position)
            targets.send(conn)
        fold = TicketFold(tenant_id, queue_of_day(conn, tenant_id))
        fold.add(event, position)
        fold.write(conn)

    for _event_class in SETUP_EFFECTS:
        apply.register(_event_class, _setup)
    for _event_class in QUEUE_DAY_EVENTS:
        apply.register(_event_class, _ticket)
    del _event_class

    def apply_batch(self, conn: psycopg.Connection[Any], batch: Batch) -> None:
        """Configuration events and the days' targets in order; the queue days' events
        folded, written last (the common ones read from their rows: :data:`raw_topics`)."""
        tenant_id = batch.tenant_id
        fold = TicketFold(tenant_id, queue_of_day(conn, tenant_id))
        targets = DayTargets(tenant_id)
        add, view = fold.add, views(batch).get
        for row in batch.rows():
            position = row.position
            event: Any = view(position)
            if event is None:
                event = batch.decoded(row)
                if type(event) in SETUP_EFFECTS:
                    targets.send(conn)  # the days started so far get the target before it
                    self._setup(event, conn, tenant_id, position)
                    continue
            if type(event) is QueueDay.Started or type(event) is DayStarted:
                targets.keep(event, position)
            add(event, position, row.originator_id)
        targets.send(conn)
        fold.write(conn)
