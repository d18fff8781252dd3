"""The queue board (取号叫号看板): a query and a live subscription.

Who reads it: the hall's staff, hall admins and supervisors, with a token of the hall. The
board is **not public**: the board's statistics (waiting times, service level), badges and
suspension reasons are the hall's management data. The screens in the waiting area read the
public part of it without a token (:mod:`gateway.queue.public_board`). A hall id other than the
token's answers ``null``, exactly like a hall that does not exist.

The subscription sends the board now, then again after every change of the hall's log that
the queue board projection has applied (a called number reaches a subscribed display as soon
as the projection worker applied the call: within a second of the command).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import date, datetime

import strawberry

from gateway.context import Info, run_sync
from gateway.queue.board import QueueBoardType
from gateway.security import HALL_STAFF, allow, hall_of, readable_hall
from gateway.subscriptions import projected_changes
from projections.queue_board import QueueBoardProjection, queue_board
from services.queue import QueueService

__all__ = ["QueueBoardQueries", "QueueBoardSubscriptions", "hall_now"]

PROJECTION = QueueBoardProjection.name


def hall_now(info: Info, hall: str) -> datetime:
    """Now by the hall's queue application's clock: the clock its tickets are issued by, so
    the board's "today" is the day a ticket issued now belongs to."""
    return info.context.platform.hall_app(QueueService, hall).clock()


@strawberry.type
class QueueBoardQueries:
    @allow(*HALL_STAFF)
    @strawberry.field(
        description="A hall's queue board for a service day (default: the hall's current "
        "date in China): waiting per queue, called number per window, issued / arrived / "
        "served / no-show / unserved counts, average and maximum waiting and service time, "
        "count and share within and over the waiting target. The token's hall only (staff, "
        "hall displays, admins, supervisors); another hall's id answers null."
    )
    async def queue_board(
        self, info: Info, hall_id: str | None = None, service_day: date | None = None
    ) -> QueueBoardType | None:
        hall = readable_hall(info, hall_id)
        if hall is None:
            return None
        pool, now = info.context.platform.app_pool, hall_now(info, hall)
        board = await run_sync(lambda: queue_board(pool, hall, service_day, now=now))
        return QueueBoardType.from_board(board) if board else None


@strawberry.type
class QueueBoardSubscriptions:
    @allow(*HALL_STAFF)
    @strawberry.subscription(
        description="The token's hall's queue board now, then each time it changes (a "
        "called number within a second). serviceDay fixes the day; without it the board "
        "shows the hall's current date in China at each update (a new day after midnight)."
    )
    async def queue_board_changed(
        self, info: Info, service_day: date | None = None
    ) -> AsyncGenerator[QueueBoardType | None, None]:
        hall = hall_of(info)
        pool = info.context.platform.app_pool
        async for board in projected_changes(
            info,
            hall,
            PROJECTION,
            lambda: queue_board(pool, hall, service_day, now=hall_now(info, hall)),
            share=("staff board", service_day),  # the same for all the hall's staff
        ):
            yield QueueBoardType.from_board(board) if board else None
