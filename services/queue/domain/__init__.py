"""The queue domain (取号叫号): queue configuration, queue days with their tickets, call rules."""

from services.queue.domain.day import QUEUE_DAY_EVENTS, QueueDay
from services.queue.domain.queue import Queue, QueuePrefix
from services.queue.domain.rules import (
    call_order,
    choose_next,
    goes_first,
    line_head,
    rejoin_index,
    transfer_index,
)
from services.queue.domain.ticket import Ticket, display_number
from services.queue.domain.values import (
    Channel,
    PriorityGroup,
    ServiceOutcome,
    TicketStatus,
)
from services.queue.domain.window import WindowDay

__all__ = [
    "QUEUE_DAY_EVENTS",
    "Channel",
    "PriorityGroup",
    "Queue",
    "QueueDay",
    "QueuePrefix",
    "ServiceOutcome",
    "Ticket",
    "TicketStatus",
    "WindowDay",
    "call_order",
    "choose_next",
    "display_number",
    "goes_first",
    "line_head",
    "rejoin_index",
    "transfer_index",
]
