"""GraphQL types of the queue context: queues, tickets and queue days."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import strawberry

from gateway.evaluations.types import EvaluationType
from gateway.places.types import graphql_enum
from gateway.security import INHERITED, allow
from services.queue import (
    Channel,
    PriorityGroup,
    Queue,
    QueueDay,
    ServiceOutcome,
    Ticket,
    TicketStatus,
)
from services.queue.invitations import EndedService

__all__ = [
    "ChannelEnum",
    "ConfigureQueueInput",
    "IssueTicketInput",
    "OutcomeEnum",
    "PriorityGroupEnum",
    "QueueDayType",
    "QueueType",
    "TicketStatusEnum",
    "TicketType",
]

if TYPE_CHECKING:
    ChannelEnum = Channel
    PriorityGroupEnum = PriorityGroup
    TicketStatusEnum = TicketStatus
    OutcomeEnum = ServiceOutcome
else:
    ChannelEnum = graphql_enum(
        Channel, "TicketChannel", "自助取号机 / 预约签到 / 移动端 / 转号 (TRANSFER: by a transfer)."
    )
    PriorityGroupEnum = graphql_enum(
        PriorityGroup, "PriorityGroup", "优先服务 groups, called first under the priority rule."
    )
    TicketStatusEnum = graphql_enum(
        TicketStatus, "TicketStatus", "WAITING → CALLED → SERVING → ENDED, or an early end."
    )
    OutcomeEnum = graphql_enum(
        ServiceOutcome, "ServiceOutcome", "办结 / 受理 / 咨询 / 材料不全 / 不予受理."
    )


@allow(INHERITED)
@strawberry.type(name="Queue", description="A queue (队列) and its number prefix.")
class QueueType:
    code: str
    name: str
    prefix: str = strawberry.field(description="A gives A001, A002 … (a new prefix: next day).")
    item_codes: list[str]

    @classmethod
    def from_aggregate(cls, queue: Queue) -> QueueType:
        return cls(
            code=queue.code, name=queue.name, prefix=queue.prefix, item_codes=list(queue.item_codes)
        )


@allow(INHERITED)
@strawberry.type(
    name="Ticket",
    description="A ticket (号) as it stands after the command. Applicants' personal data (the "
    "phone of a mobile ticket) is never returned.",
)
class TicketType:
    queue_code: str
    service_day: date = strawberry.field(description="The Beijing date of the number sequence.")
    number: int
    display_number: str = strawberry.field(description="As shown and announced, e.g. A007.")
    channel: ChannelEnum
    priority_group: PriorityGroupEnum
    status: TicketStatusEnum
    window_code: str | None = strawberry.field(description="The window that called it last.")
    staff_badge: str | None
    reserved_window: str | None = strawberry.field(
        description="Only this window may call it (after a transfer to a window)."
    )
    transferred_from: str | None = strawberry.field(description="<queue>/<number> it continues.")
    transferred_to: str | None = strawberry.field(description="<queue>/<number> continuing it.")
    issued_at: datetime
    waiting_since: datetime
    first_called_at: datetime | None
    called_at: datetime | None
    waiting_seconds: int | None = strawberry.field(
        description="Waiting time: first called − issued (null until called)."
    )
    recalls: int
    misses: int = strawberry.field(description="How often it was missed (过号).")
    started_at: datetime | None
    ended_at: datetime | None
    outcome: OutcomeEnum | None
    end_reason: str = strawberry.field(description="Why it was removed (RESET: the daily reset).")
    evaluation: EvaluationType | None = strawberry.field(
        default=None,
        description="一次一评: the invitation to rate this visit, recorded with the end of its "
        "service, in endTicketService's result only (null elsewhere, and when the visit was "
        "already invited, the item named as handled or the queue's items all take no ratings, "
        "or the hall's policy inviteServedVisits is off). For an anonymous ticket its "
        "ratingCode (评价码) is shown here once, for the window's evaluator screen (评价器) or "
        "the receipt.",
    )

    @classmethod
    def from_ended(cls, ended: EndedService) -> TicketType:
        """The ticket whose service ended, with the invitation saved with it."""
        ticket = cls.from_ticket(ended.ticket)
        if ended.invitation is not None:
            invited = ended.invitation
            ticket.evaluation = EvaluationType.from_aggregate(
                invited.evaluation, invited.rating_code
            )
        return ticket

    @classmethod
    def from_ticket(cls, ticket: Ticket) -> TicketType:
        waited = (
            int((ticket.first_called_at - ticket.issued_at).total_seconds())
            if ticket.first_called_at
            else None
        )
        return cls(
            queue_code=ticket.queue_code,
            service_day=date.fromisoformat(ticket.service_day),
            number=ticket.number,
            display_number=ticket.display_number,
            channel=ChannelEnum(ticket.channel.value),
            priority_group=PriorityGroupEnum(ticket.priority_group.value),
            status=TicketStatusEnum(ticket.status.value),
            window_code=ticket.window_code or None,
            staff_badge=ticket.staff_badge or None,
            reserved_window=ticket.reserved_window or None,
            transferred_from=ticket.transferred_from or None,
            transferred_to=ticket.transferred_to or None,
            issued_at=ticket.issued_at,
            waiting_since=ticket.waiting_since,
            first_called_at=ticket.first_called_at,
            called_at=ticket.called_at,
            waiting_seconds=waited,
            recalls=ticket.recalls,
            misses=ticket.misses,
            started_at=ticket.started_at,
            ended_at=ticket.ended_at,
            outcome=OutcomeEnum(ticket.outcome.value) if ticket.outcome else None,
            end_reason=ticket.end_reason,
        )


@allow(INHERITED)
@strawberry.type(name="QueueDay", description="One queue's service day: its numbers so far.")
class QueueDayType:
    queue_code: str
    service_day: date
    prefix: str
    tickets_issued: int
    waiting: int
    reset_at: datetime | None = strawberry.field(description="When the day was closed.")
    removed_by_reset: list[int] = strawberry.field(
        description="Numbers the reset removed (still waiting or called)."
    )

    @classmethod
    def from_aggregate(cls, day: QueueDay) -> QueueDayType:
        return cls(
            queue_code=day.queue_code,
            service_day=date.fromisoformat(day.service_day),
            prefix=day.prefix,
            tickets_issued=len(day.tickets),
            waiting=len(day.line),
            reset_at=day.reset_at,
            removed_by_reset=[t.number for t in day.tickets if t.end_reason == "RESET"],
        )


@strawberry.input(description="A queue's configuration (all values, not a difference).")
class ConfigureQueueInput:
    code: str = strawberry.field(description="Queue code, unique in the hall.")
    name: str
    prefix: str = strawberry.field(description="One or two capital letters, e.g. A.")
    item_codes: list[str] = strawberry.field(default_factory=list)


@strawberry.input(description="取号: a ticket to issue.")
class IssueTicketInput:
    queue_code: str
    channel: ChannelEnum
    priority_group: PriorityGroupEnum = strawberry.field(
        default=PriorityGroupEnum.NONE,
        description="Set at a kiosk or by staff; applicants take NONE.",
    )
    applicant_id: str = strawberry.field(
        default="", description="Opaque applicant id (staff, kiosks); an applicant is themself."
    )
    appointment_id: str = strawberry.field(default="", description="For APPOINTMENT check-in.")
    phone: str = strawberry.field(
        default="", description="For a call-up SMS; personal data, never returned."
    )
