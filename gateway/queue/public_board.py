"""The public queue board (叫号屏): what the screens in a hall's waiting area show.

Public, like the catalog: anyone, with or without a token, for any hall id (a screen needs
no staff account). It is today's line and nothing else — per window its name, status and
the number it called last; per queue how many wait and the longest current wait — taken
from the staff board (``projections.queue_board.view.public_board``), so the figures are
the same, without badges, suspension reasons, statistics or anything about applicants. A
hall id that is not a hall answers ``null``.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import date, datetime

import strawberry

from gateway.context import Info, run_sync
from gateway.places.types import WindowStatusEnum
from gateway.queue.queries import PROJECTION, hall_now
from gateway.security import INHERITED, PUBLIC, allow, readable_hall
from gateway.subscriptions import projected_changes
from projections.queue_board import (
    PublicBoard,
    PublicBoardQueue,
    PublicBoardWindow,
    PublicCall,
    public_board,
)

__all__ = ["PublicBoardQueries", "PublicBoardSubscriptions", "PublicQueueBoardType"]


@allow(INHERITED)
@strawberry.type(name="PublicCalledNumber", description="A number as the hall announces it.")
class PublicCalledNumberType:
    queue_code: str
    display_number: str = strawberry.field(description="As shown and announced, e.g. A007.")
    called_at: datetime = strawberry.field(description="The last call (or recall).")

    @classmethod
    def from_call(cls, call: PublicCall) -> PublicCalledNumberType:
        return cls(
            queue_code=call.queue_code, display_number=call.display_number, called_at=call.called_at
        )


@allow(INHERITED)
@strawberry.type(name="PublicQueueBoardWindow", description="A window on the public board.")
class PublicQueueBoardWindowType:
    code: str
    name: str
    status: WindowStatusEnum
    called: PublicCalledNumberType | None = strawberry.field(
        description="The number it called last today, or still serves from before midnight "
        "(null: none yet today)."
    )

    @classmethod
    def from_window(cls, w: PublicBoardWindow) -> PublicQueueBoardWindowType:
        return cls(
            code=w.code,
            name=w.name,
            status=WindowStatusEnum(w.status),
            called=PublicCalledNumberType.from_call(w.called) if w.called else None,
        )


@allow(INHERITED)
@strawberry.type(name="PublicQueueBoardQueue", description="A queue's line on the public board.")
class PublicQueueBoardQueueType:
    code: str
    name: str
    prefix: str
    waiting: int = strawberry.field(description="Numbers waiting now (the staff board's).")
    oldest_waiting_since: datetime | None = strawberry.field(
        description="Since when the longest-waiting number still waiting waits (a number "
        "missed and put back waits since it was missed); null when none waits."
    )
    longest_waiting_seconds: int | None = strawberry.field(
        description="The longest current wait, in whole seconds at the time of the answer "
        "(a screen counts on from oldestWaitingSince); null when none waits."
    )

    @classmethod
    def from_queue(cls, q: PublicBoardQueue, now: datetime) -> PublicQueueBoardQueueType:
        since = q.oldest_waiting_since
        return cls(
            code=q.code,
            name=q.name,
            prefix=q.prefix,
            waiting=q.waiting,
            oldest_waiting_since=since,
            longest_waiting_seconds=max(int((now - since).total_seconds()), 0) if since else None,
        )


@allow(INHERITED)
@strawberry.type(
    name="PublicQueueBoard",
    description="A hall's public queue board for today (the hall's date in China): called "
    "numbers per window, numbers waiting and the longest wait per queue. Nothing personal.",
)
class PublicQueueBoardType:
    hall_id: str
    service_day: date
    queues: list[PublicQueueBoardQueueType] = strawberry.field(description="Every queue, by code.")
    windows: list[PublicQueueBoardWindowType] = strawberry.field(
        description="Every window, by code."
    )

    @classmethod
    def from_board(cls, b: PublicBoard, now: datetime) -> PublicQueueBoardType:
        return cls(
            hall_id=b.hall_id,
            service_day=b.service_day,
            queues=[PublicQueueBoardQueueType.from_queue(q, now) for q in b.queues],
            windows=[PublicQueueBoardWindowType.from_window(w) for w in b.windows],
        )


@strawberry.type
class PublicBoardQueries:
    @allow(PUBLIC)
    @strawberry.field(
        description="The public board of a hall's waiting-area screens (anyone, no token "
        "needed): today's called number per window, numbers waiting and the longest current "
        "wait per queue. Null for a hall id that is not a hall."
    )
    async def public_queue_board(self, info: Info, hall_id: str) -> PublicQueueBoardType | None:
        hall = readable_hall(info, hall_id, public=True)
        assert hall is not None
        pool, now = info.context.platform.app_pool, hall_now(info, hall)
        board = await run_sync(lambda: public_board(pool, hall, now=now))
        return PublicQueueBoardType.from_board(board, now) if board else None


@strawberry.type
class PublicBoardSubscriptions:
    @allow(PUBLIC)
    @strawberry.subscription(
        description="publicQueueBoard now, then each time it changes (a called number "
        "within a second); the hall's current date in China at each update."
    )
    async def public_queue_board_changed(
        self, info: Info, hall_id: str
    ) -> AsyncGenerator[PublicQueueBoardType | None, None]:
        hall = readable_hall(info, hall_id, public=True)
        assert hall is not None
        pool = info.context.platform.app_pool
        async for board in projected_changes(
            info,
            hall,
            PROJECTION,
            lambda: public_board(pool, hall, now=hall_now(info, hall)),
            share="public board",  # the same for every screen of the hall
        ):
            yield PublicQueueBoardType.from_board(board, hall_now(info, hall)) if board else None
