"""Projection "queue_board": the live queue board of every hall.

Rows follow the events alone: each ticket keeps the times its events carried (issued, first
called, called, started, ended), each window the number it called last, each hall its
waiting-time target. The statistics of a service day are computed from that day's tickets
when the board is read (:mod:`projections.queue_board.view`), so they are exact for any day
and never depend on the moment of reading.
"""

from __future__ import annotations

from functools import singledispatchmethod
from typing import Any

import psycopg

from projections.queue_board.setup import SETUP_EFFECTS
from projections.queue_board.statements import Effect, execute
from projections.queue_board.tickets import TICKET_EFFECTS
from projections.runtime import Projection

__all__ = ["QueueBoardProjection"]

EFFECTS: dict[type, Effect] = {**SETUP_EFFECTS, **TICKET_EFFECTS}


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
    )

    @singledispatchmethod
    def apply(self, event: Any, conn: psycopg.Connection, tenant_id: str, position: int) -> None:
        """Other events change nothing here."""

    def _effect(self, event: Any, conn: psycopg.Connection, tenant_id: str, position: int) -> None:
        statements = EFFECTS[type(event)](event)
        execute(
            conn,
            statements,
            tenant_id=tenant_id,
            position=position,
            originator_id=event.originator_id,
        )

    for _event_class in EFFECTS:
        apply.register(_event_class, _effect)
    del _event_class
