"""An applicant follows their own ticket (我的排号): a query and a live subscription.

Who: applicants, for the tickets that carry their applicant id — the tickets they took
themselves (MOBILE, APPOINTMENT) and those a kiosk or staff issued with their id. A ticket
without an applicant id (a kiosk ticket of an anonymous visitor) is nobody's here: its
hall, queue, day and number are printed on paper and easily guessed, so it is followed on
the hall's public board (``publicQueueBoard``), which shows every called number. Another
applicant's ticket, a number never issued and another hall's (the token's hall is read,
never an argument's) answer the same ``NOT_FOUND``: nothing tells them apart.

The answer is read from the queue day (the domain's state), not from the queue board read
model: the board keeps neither the applicant id (so ownership could not be checked) nor the
line's order (a number put back DEFER places, transfers at the front). People ahead are the
domain's call order under the hall's call rule. No waiting-time estimate is given: the board
has the day's average waits, but no basis to forecast one ticket's (windows serve several
queues, priority numbers go first, staff come and go).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from datetime import date, datetime

import strawberry

from gateway.context import Info, run_sync
from gateway.queue.types import TicketStatusEnum
from gateway.security import INHERITED, Role, allow, hall_of, not_found
from gateway.subscriptions import hall_log_moves
from services.queue import QueueService, TicketProgress, TicketStatus
from services.shared.working_days import local_date

__all__ = ["TicketProgressType", "TicketStatusQueries", "TicketStatusSubscriptions"]

AT_A_WINDOW = (TicketStatus.CALLED, TicketStatus.SERVING)


@allow(INHERITED)
@strawberry.type(
    name="TicketProgress",
    description="Where an applicant's own ticket stands. A ticket transferred to another "
    "queue (转号) is followed: the answer is the ticket that goes on (its queueCode, number "
    "and displayNumber), still the applicant's.",
)
class TicketProgressType:
    queue_code: str
    service_day: date = strawberry.field(description="The Beijing date of the number sequence.")
    number: int
    display_number: str = strawberry.field(description="As shown and announced, e.g. A007.")
    status: TicketStatusEnum
    people_ahead: int | None = strawberry.field(
        description="Waiting tickets of its queue called before it, in the queue's call order "
        "(the hall's call rule: priority numbers first under PRIORITY_THEN_LONGEST_WAITING; a "
        "missed number back where the missed-number policy put it; transferred tickets at the "
        "front); for a ticket reserved for a window, those that window calls before it. A "
        "window serving several queues may call other queues' numbers in between, and a "
        "later priority number goes before it, so it may grow. Null unless WAITING."
    )
    window_code: str | None = strawberry.field(
        description="The window it is called to (CALLED) or served at (SERVING); null otherwise."
    )
    called_at: datetime | None = strawberry.field(
        description="The last call (or recall) to that window; null unless CALLED or SERVING."
    )
    reserved_window: str | None = strawberry.field(
        description="While it waits after a transfer to a window (转窗口): the only window "
        "that calls it."
    )

    @classmethod
    def from_progress(cls, progress: TicketProgress) -> TicketProgressType:
        ticket = progress.ticket
        at_window = ticket.status in AT_A_WINDOW
        waiting = ticket.status is TicketStatus.WAITING
        return cls(
            queue_code=ticket.queue_code,
            service_day=date.fromisoformat(ticket.service_day),
            number=ticket.number,
            display_number=ticket.display_number,
            status=TicketStatusEnum(ticket.status.value),
            people_ahead=progress.people_ahead,
            window_code=(ticket.window_code or None) if at_window else None,
            called_at=ticket.called_at if at_window else None,
            reserved_window=(ticket.reserved_window or None) if waiting else None,
        )


def _reader(
    info: Info, queue_code: str, number: int, service_day: date | None
) -> tuple[str, Callable[[], TicketProgress]]:
    """The caller's hall, and how to read the ticket there (``NOT_FOUND`` unless it is the
    caller's). The day is fixed now (today by the hall's queue clock unless given): a
    subscription open at midnight goes on following the same ticket."""
    hall = hall_of(info)
    holder = info.context.principal.applicant_id
    if holder is None:  # pragma: no cover - @allow(Role.APPLICANT) lets applicants only
        raise not_found("ticket", f"{queue_code}/{number}")
    app = info.context.platform.hall_app(QueueService, hall)
    day = service_day or local_date(app.clock())

    def read() -> TicketProgress:
        progress = app.ticket_progress(queue_code, number, holder, day)
        if progress is None:
            raise not_found("ticket", f"{queue_code}/{number}")
        return progress

    return hall, read


@strawberry.type
class TicketStatusQueries:
    @allow(Role.APPLICANT)
    @strawberry.field(
        description="Where the caller's own ticket stands (applicants): status, people ahead, "
        "the window it is called to, the window it is reserved for after a transfer. "
        "serviceDay defaults to today (the hall's date in China). The caller's tickets only: "
        "another applicant's ticket, one without an applicant id (an anonymous kiosk ticket: "
        "follow publicQueueBoard) and one that does not exist are NOT_FOUND alike."
    )
    async def ticket_status(
        self, info: Info, queue_code: str, number: int, service_day: date | None = None
    ) -> TicketProgressType:
        _, read = _reader(info, queue_code, number, service_day)
        return TicketProgressType.from_progress(await run_sync(read))


@strawberry.type
class TicketStatusSubscriptions:
    @allow(Role.APPLICANT)
    @strawberry.subscription(
        description="ticketStatus now, then each time it changes (a call, a number ahead "
        "called, a transfer); NOT_FOUND, as the query, for a ticket not the caller's."
    )
    async def ticket_status_changed(
        self, info: Info, queue_code: str, number: int, service_day: date | None = None
    ) -> AsyncGenerator[TicketProgressType, None]:
        hall, read = _reader(info, queue_code, number, service_day)
        previous: TicketProgress | None = None
        async for _ in hall_log_moves(info, hall):
            progress = await run_sync(read)
            if progress != previous:
                previous = progress
                yield TicketProgressType.from_progress(progress)
