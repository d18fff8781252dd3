"""GraphQL mutations of the queue context (取号叫号); who may use each is in its description.

Roles: hall admins configure queues and reset a queue's day. Tickets are issued by kiosks
and staff (tokens of role staff; a kiosk is a device account) for any channel, and by
applicants for themselves (mobile or appointment check-in, no priority group: priority is
verified at the kiosk or by staff). Window operations (call, recall, start, end, no-show) are
done by staff, or hall admins, acting as the staff member whose badge number (工号) is the
token's subject and who is signed in at the window. Applicants may cancel their own tickets.
"""

from __future__ import annotations

from datetime import date

import strawberry

from gateway.context import Info, run_sync
from gateway.queue.types import (
    ConfigureQueueInput,
    IssueTicketInput,
    OutcomeEnum,
    QueueDayType,
    QueueType,
    TicketType,
)
from gateway.security import Role, allow, hall_of
from services.queue import Channel, PriorityGroup, QueueService
from services.shared import ForbiddenError

__all__ = ["QueueMutations"]

AT_WINDOWS = (Role.STAFF, Role.HALL_ADMIN)
"""Who operates a window: acting as the staff member whose badge is the token's subject."""
HANDLERS = (Role.STAFF, Role.HALL_ADMIN, Role.SUPERVISOR)
APPLICANT_CHANNELS = {Channel.MOBILE.value, Channel.APPOINTMENT.value}


def _service(info: Info) -> QueueService:
    return info.context.platform.hall_app(QueueService, hall_of(info))


def _applicant_ticket(info: Info, input: IssueTicketInput) -> str:
    """An applicant takes a ticket as themself, remotely, without a priority group."""
    subject = info.context.principal.subject
    if input.channel.value not in APPLICANT_CHANNELS:
        raise ForbiddenError("applicants take MOBILE or APPOINTMENT tickets; kiosks issue others")
    if input.priority_group.value != PriorityGroup.NONE.value:
        raise ForbiddenError("a priority group is verified at a kiosk or by staff")
    if input.applicant_id not in ("", subject):
        raise ForbiddenError("applicants take tickets for themselves only")
    return subject


@strawberry.type
class QueueMutations:
    @allow(Role.HALL_ADMIN)
    @strawberry.mutation(description="Configure a queue with its number prefix (hall admins).")
    async def configure_queue(self, info: Info, input: ConfigureQueueInput) -> QueueType:
        app = _service(info)
        queue = await run_sync(
            app.configure_queue,
            input.code,
            input.name,
            input.prefix,
            list(input.item_codes),
            info.context.principal.subject,
        )
        return QueueType.from_aggregate(queue)

    @allow(Role.HALL_ADMIN)
    @strawberry.mutation(
        description="Change a queue's name, items or prefix; a new prefix applies from the "
        "queue's next service day (hall admins)."
    )
    async def reconfigure_queue(self, info: Info, input: ConfigureQueueInput) -> QueueType:
        app = _service(info)
        queue = await run_sync(
            app.reconfigure_queue,
            input.code,
            input.name,
            input.prefix,
            list(input.item_codes),
            info.context.principal.subject,
        )
        return QueueType.from_aggregate(queue)

    @allow(Role.APPLICANT, Role.STAFF, Role.HALL_ADMIN)
    @strawberry.mutation(
        description="取号: the next number of today's sequence of a queue. Kiosks and staff "
        "(role staff) and hall admins issue any channel and priority group; applicants take "
        "MOBILE or APPOINTMENT tickets for themselves, without a priority group."
    )
    async def issue_ticket(self, info: Info, input: IssueTicketInput) -> TicketType:
        principal = info.context.principal
        app = _service(info)
        applicant_id = input.applicant_id
        if principal.role is Role.APPLICANT:
            applicant_id = _applicant_ticket(info, input)
        ticket = await run_sync(
            app.issue_ticket,
            input.queue_code,
            input.channel.value,
            principal.subject,
            priority_group=input.priority_group.value,
            applicant_id=applicant_id,
            phone=input.phone,
            appointment_id=input.appointment_id,
        )
        return TicketType.from_ticket(ticket)

    @allow(*AT_WINDOWS)
    @strawberry.mutation(
        description="叫号: call the next ticket at an open window among the queues it serves, by "
        "the hall's call rule. The caller (staff or hall admin) must be signed in at the window."
    )
    async def call_next_ticket(self, info: Info, window_code: str) -> TicketType:
        app = _service(info)
        subject = info.context.principal.subject
        ticket = await run_sync(app.call_next, window_code, subject, subject)
        return TicketType.from_ticket(ticket)

    @allow(*AT_WINDOWS)
    @strawberry.mutation(
        description="重呼: call a ticket again to the caller's window (staff or hall admin "
        "signed in at the window that called it). serviceDay defaults to today."
    )
    async def recall_ticket(
        self, info: Info, queue_code: str, number: int, service_day: date | None = None
    ) -> TicketType:
        app = _service(info)
        subject = info.context.principal.subject
        ticket = await run_sync(
            app.recall_ticket, queue_code, number, subject, subject, service_day
        )
        return TicketType.from_ticket(ticket)

    @allow(*AT_WINDOWS)
    @strawberry.mutation(
        description="The holder came: service begins (staff or hall admin signed in at the "
        "window that called the ticket)."
    )
    async def start_ticket_service(
        self, info: Info, queue_code: str, number: int, service_day: date | None = None
    ) -> TicketType:
        app = _service(info)
        subject = info.context.principal.subject
        ticket = await run_sync(
            app.start_service, queue_code, number, subject, subject, service_day
        )
        return TicketType.from_ticket(ticket)

    @allow(*AT_WINDOWS)
    @strawberry.mutation(
        description="The service ends with an outcome; the ticket ends (staff or hall admin "
        "signed in at the window serving it). The visit is invited to rate (一次一评) in the "
        "same commit: the result's evaluation, with the one-time ratingCode (评价码) of an "
        "anonymous ticket for the window's evaluator screen (评价器), shown only here. "
        "itemCode names the item (事项) handled, so that a queue of several items has its "
        "visits rated per item: the invitation names it (without it, the queue's item when "
        "it serves exactly one, else the hall's); an item published as not rated invites "
        "nothing. VALIDATION when the queue does not serve the item (the message lists the "
        "ones it does) or it is not in the catalog, CONFLICT when it was withdrawn; a refusal "
        "ends nothing."
    )
    async def end_ticket_service(
        self,
        info: Info,
        queue_code: str,
        number: int,
        outcome: OutcomeEnum,
        service_day: date | None = None,
        item_code: str | None = None,
    ) -> TicketType:
        app = _service(info)
        subject = info.context.principal.subject
        ended = await run_sync(
            app.end_service,
            queue_code,
            number,
            subject,
            outcome.value,
            subject,
            service_day,
            item_code or "",
        )
        return TicketType.from_ended(ended)

    @allow(*AT_WINDOWS)
    @strawberry.mutation(
        description="过号: the called holder did not come; the hall's missed-number policy "
        "keeps it out, requeues it or defers it (staff or hall admin signed in at the window "
        "that called it)."
    )
    async def mark_ticket_no_show(
        self, info: Info, queue_code: str, number: int, service_day: date | None = None
    ) -> TicketType:
        app = _service(info)
        subject = info.context.principal.subject
        ticket = await run_sync(app.mark_no_show, queue_code, number, subject, subject, service_day)
        return TicketType.from_ticket(ticket)

    @allow(*HANDLERS)
    @strawberry.mutation(
        description="转号 / 转窗口: to another queue (a new number there) and/or to a window "
        "serving it, where it waits at the front. Returns the ticket that goes on. A called or "
        "served ticket is transferred by the staff member signed in at its window; a waiting "
        "one by staff, hall admins or supervisors. CONFLICT when the window is closed or "
        "suspended (only it may call the ticket), or when the ticket is of a past serviceDay "
        "(no window calls it any more); VALIDATION when the window does not serve the queue."
    )
    async def transfer_ticket(
        self,
        info: Info,
        queue_code: str,
        number: int,
        to_queue_code: str = "",
        to_window_code: str = "",
        service_day: date | None = None,
    ) -> TicketType:
        app = _service(info)
        subject = info.context.principal.subject
        ticket = await run_sync(
            lambda: app.transfer_ticket(
                queue_code,
                number,
                subject,
                to_queue_code=to_queue_code,
                to_window_code=to_window_code,
                badge=subject,
                service_day=service_day,
            )
        )
        return TicketType.from_ticket(ticket)

    @allow(Role.APPLICANT, *HANDLERS)
    @strawberry.mutation(
        description="Remove a waiting or called ticket with a reason: applicants cancel their "
        "own tickets; staff, hall admins and supervisors remove any."
    )
    async def remove_ticket(
        self,
        info: Info,
        queue_code: str,
        number: int,
        reason: str,
        service_day: date | None = None,
    ) -> TicketType:
        app = _service(info)
        principal = info.context.principal
        ticket = await run_sync(
            lambda: app.remove_ticket(
                queue_code,
                number,
                reason,
                principal.subject,
                holder=principal.applicant_id,
                service_day=service_day,
            )
        )
        return TicketType.from_ticket(ticket)

    @allow(Role.HALL_ADMIN)
    @strawberry.mutation(
        description="Daily reset: close a queue's day (today unless given); tickets still "
        "waiting or called are removed and no more are issued that day (hall admins)."
    )
    async def reset_queue(
        self, info: Info, queue_code: str, service_day: date | None = None
    ) -> QueueDayType:
        app = _service(info)
        day = await run_sync(
            app.reset_queue, queue_code, info.context.principal.subject, service_day
        )
        return QueueDayType.from_aggregate(day)
