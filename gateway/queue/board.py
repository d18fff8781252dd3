"""GraphQL types of the queue board (取号叫号看板): a hall's queues, windows and totals.

Durations are seconds (``Float``, exact: the events carry the times); averages are null
until there is something to average. The board holds no personal data: no applicant ids,
phones or staff names — staff appear by badge number (工号), as on the windows' signs.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import strawberry

from gateway.places.types import WindowStatusEnum, WindowTypeEnum
from gateway.queue.types import TicketStatusEnum
from gateway.security import INHERITED, allow
from projections.queue_board import (
    CalledTicket,
    QueueBoard,
    QueueBoardQueue,
    QueueBoardWindow,
    QueueStats,
)

__all__ = ["QueueBoardType"]


def _seconds(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


@allow(INHERITED)
@strawberry.type(
    name="QueueBoardStats",
    description="A queue's (or the hall's) numbers on the board's service day. A ticket's "
    "wait starts when it is issued; for a ticket transferred in from another queue, when "
    "the ticket it continues started waiting if that one was still waiting, else (called "
    "or in service there) at the transfer: time at a window is service, not waiting. "
    "Waiting time is first called − wait start, over the tickets called at least once "
    "(a ticket transferred on after its call included); service time is ended − started "
    "(tickets served). Against the day's waiting-time target (waitingTargetMinutes) a ticket is "
    "within it when called at most the target after its wait start, over it when called "
    "later, when it left uncalled after waiting longer, or when it still waits, uncalled, "
    "longer than the target now.",
)
class QueueBoardStatsType:
    issued: int = strawberry.field(description="Numbers given out, transfers in included.")
    arrived: int = strawberry.field(
        description="Visitors who took a number here: issued − transferredIn (the hall's "
        "total counts a transferred visitor once)."
    )
    transferred_in: int = strawberry.field(description="Of issued: transferred from a queue.")
    waiting: int = strawberry.field(description="Waiting now.")
    at_windows: int = strawberry.field(description="Called to a window or in service now.")
    served: int = strawberry.field(description="Service ended (any outcome).")
    no_show: int = strawberry.field(
        description="No-shows: missed calls (过号) whatever the hall's missed-number policy, "
        "each a called customer who did not come (a ticket missed twice counts twice). It "
        "used to count only the tickets that ended as no-shows (policy KEEP): that is now "
        "endedNoShow."
    )
    no_show_tickets: int = strawberry.field(description="Tickets missed (过号) at least once.")
    ended_no_show: int = strawberry.field(
        description="Tickets that ended as no-shows (the hall keeps missed numbers out)."
    )
    removed: int = strawberry.field(description="Cancelled, removed, or removed by the reset.")
    transferred_out: int = strawberry.field(description="Moved on to another queue.")
    unserved: int = strawberry.field(
        description="Ended without service: endedNoShow + removed (a ticket transferred on "
        "is not unserved: it goes on in another queue)."
    )
    called: int = strawberry.field(description="Called at least once.")
    average_waiting_seconds: float | None
    max_waiting_seconds: float | None
    average_service_seconds: float | None
    max_service_seconds: float | None
    served_within_target: int = strawberry.field(
        description="Served tickets that waited at most the day's waiting-time target."
    )
    within_target: int = strawberry.field(
        description="Tickets called at most the waiting-time target after their wait start."
    )
    over_target: int = strawberry.field(
        description="Tickets that waited longer than the target: called later, left uncalled "
        "later (cancelled, removed, reset), or still waiting, uncalled, past it now."
    )
    within_target_share: float | None = strawberry.field(
        description="withinTarget ÷ (withinTarget + overTarget) (0…1); null while both are 0. "
        "Tickets still waiting within the target, or gone uncalled within it, are on neither "
        "side."
    )
    over_target_share: float | None = strawberry.field(
        description="overTarget ÷ (withinTarget + overTarget) (0…1); null while both are 0."
    )
    served_within_target_share: float | None = strawberry.field(
        description="The same as withinTargetShare. It used to be servedWithinTarget ÷ served, "
        "which left out every ticket that waited past the target and was not served."
    )
    oldest_waiting_since: datetime | None = strawberry.field(
        description="Since when the longest-waiting ticket still waiting waits (a ticket "
        "missed and put back in line waits since it was missed; one transferred in, since "
        "its wait start: the transfer, when it left a window)."
    )

    @classmethod
    def from_stats(cls, s: QueueStats) -> QueueBoardStatsType:
        return cls(
            issued=s.issued,
            arrived=s.arrived,
            transferred_in=s.transferred_in,
            waiting=s.waiting,
            at_windows=s.at_windows,
            served=s.served,
            no_show=s.no_show,
            no_show_tickets=s.no_show_tickets,
            ended_no_show=s.ended_no_show,
            removed=s.removed,
            transferred_out=s.transferred_out,
            unserved=s.unserved,
            called=s.called,
            average_waiting_seconds=s.average_waiting_seconds,
            max_waiting_seconds=_seconds(s.max_waiting_seconds),
            average_service_seconds=s.average_service_seconds,
            max_service_seconds=_seconds(s.max_service_seconds),
            served_within_target=s.served_within_target,
            within_target=s.within_target,
            over_target=s.over_target,
            within_target_share=s.within_target_share,
            over_target_share=s.over_target_share,
            served_within_target_share=s.served_within_target_share,
            oldest_waiting_since=s.oldest_waiting_since,
        )


@allow(INHERITED)
@strawberry.type(name="QueueBoardQueue", description="A queue and its numbers of the day.")
class QueueBoardQueueType:
    code: str
    name: str
    prefix: str
    reset_at: datetime | None = strawberry.field(description="When the day was closed.")
    stats: QueueBoardStatsType

    @classmethod
    def from_row(cls, q: QueueBoardQueue) -> QueueBoardQueueType:
        stats = QueueBoardStatsType.from_stats(q.stats)
        return cls(code=q.code, name=q.name, prefix=q.prefix, reset_at=q.reset_at, stats=stats)


@allow(INHERITED)
@strawberry.type(
    name="QueueBoardCalledTicket",
    description="The number a window called last that day, and where its ticket is now.",
)
class CalledTicketType:
    queue_code: str
    number: int
    display_number: str = strawberry.field(description="As shown and announced, e.g. A007.")
    status: TicketStatusEnum
    called_at: datetime = strawberry.field(description="The last call (or recall).")
    recalls: int

    @classmethod
    def from_row(cls, t: CalledTicket) -> CalledTicketType:
        return cls(
            queue_code=t.queue_code,
            number=t.number,
            display_number=t.display_number,
            status=TicketStatusEnum(t.status),
            called_at=t.called_at,
            recalls=t.recalls,
        )


@allow(INHERITED)
@strawberry.type(name="QueueBoardWindow", description="A window as the board shows it.")
class QueueBoardWindowType:
    code: str
    name: str
    window_type: WindowTypeEnum
    status: WindowStatusEnum
    suspension_reason: str = strawberry.field(description="Why it is suspended ('' if not).")
    queue_codes: list[str]
    staff_on_duty: list[str] = strawberry.field(description="Badges (工号) signed in here.")
    called: CalledTicketType | None = strawberry.field(
        description="The window's latest call, if it was on the board's day, or the ticket "
        "of an earlier day it still serves (a service running past midnight; counted in its "
        "own day's figures); null otherwise."
    )

    @classmethod
    def from_row(cls, w: QueueBoardWindow) -> QueueBoardWindowType:
        return cls(
            code=w.code,
            name=w.name,
            window_type=WindowTypeEnum(w.window_type),
            status=WindowStatusEnum(w.status),
            suspension_reason=w.suspension_reason,
            queue_codes=list(w.queue_codes),
            staff_on_duty=list(w.staff_on_duty),
            called=CalledTicketType.from_row(w.called) if w.called else None,
        )


@allow(INHERITED)
@strawberry.type(
    name="QueueBoard",
    description="A hall's live queue board for one service day (a Beijing date).",
)
class QueueBoardType:
    hall_id: str
    service_day: date | None = strawberry.field(
        description="The board's day: the one asked for, else the hall's current date in "
        "China (Beijing) by the platform's clock — today, even before its first ticket or "
        "when a later day was already reset. Never null (it used to be the latest day a "
        "queue of the hall started, null before the first ticket)."
    )
    waiting_target_minutes: int = strawberry.field(
        description="The waiting-time target of the board's day: the hall's policy "
        "waiting_target_minutes when the day's first queue started it (a change applies from "
        "the next day started, so past days keep theirs); the hall's current one for a day "
        "not started yet."
    )
    totals: QueueBoardStatsType = strawberry.field(description="All queues together.")
    queues: list[QueueBoardQueueType] = strawberry.field(description="Every queue, by code.")
    windows: list[QueueBoardWindowType] = strawberry.field(description="Every window, by code.")

    @classmethod
    def from_board(cls, b: QueueBoard) -> QueueBoardType:
        return cls(
            hall_id=b.hall_id,
            service_day=b.service_day,
            waiting_target_minutes=b.waiting_target_minutes,
            totals=QueueBoardStatsType.from_stats(b.totals),
            queues=[QueueBoardQueueType.from_row(q) for q in b.queues],
            windows=[QueueBoardWindowType.from_row(w) for w in b.windows],
        )
