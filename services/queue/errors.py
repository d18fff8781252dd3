"""Errors of the queue context (取号叫号): one base, each with the stable code of its kind."""

from __future__ import annotations

from services.shared.errors import (
    ConflictError,
    DomainError,
    ForbiddenError,
    NotFoundError,
    ValidationError,
)

__all__ = [
    "ConcurrentChangeError",
    "ItemNotInQueueError",
    "NoTicketWaitingError",
    "NotTheTicketHolderError",
    "QueueDayClosedError",
    "QueueError",
    "QueueExistsError",
    "QueueFullError",
    "QueueNotFoundError",
    "QueueNotServedError",
    "QueuePrefixTakenError",
    "ServiceDayOverError",
    "TicketAtAnotherWindowError",
    "TicketEndedError",
    "TicketNotCalledError",
    "TicketNotFoundError",
    "TicketNotInServiceError",
    "TicketNotWaitingError",
    "TicketStateError",
    "WindowBusyError",
]


class QueueError(DomainError):
    """A command of the queue context was refused."""


class ConcurrentChangeError(QueueError, ConflictError):
    """The queue day changed concurrently, again and again: try the command once more."""


class QueueExistsError(QueueError, ConflictError):
    """A queue with this code is already configured in the hall."""


class QueueNotFoundError(QueueError, NotFoundError):
    """No queue with this code in the hall."""


class QueuePrefixTakenError(QueueError, ConflictError):
    """Another queue of the hall holds this number prefix: its numbers would be announced twice."""


class QueueNotServedError(QueueError, ValidationError):
    """The window does not serve the queue (a transfer's target, for example)."""


class ItemNotInQueueError(QueueError, ValidationError):
    """The item named as handled at the end of a service is not one the ticket's queue
    serves (the message lists the ones it does)."""


class QueueDayClosedError(QueueError, ConflictError):
    """The queue was reset for the day (QueueReset): no more tickets that day."""


class QueueFullError(QueueError, ConflictError):
    """Every number of the day's sequence (001-999) was issued."""


class ServiceDayOverError(QueueError, ConflictError):
    """The ticket is of a past service day: no window calls it any more, so it is not put
    back in a line (a transfer): the applicant takes a new ticket today."""


class TicketNotFoundError(QueueError, NotFoundError):
    """No ticket with this number in the queue on that day."""


class NoTicketWaitingError(QueueError, NotFoundError):
    """No ticket waits in the queues the window serves."""


class TicketStateError(QueueError, ConflictError):
    """The command is not allowed in the ticket's current state."""


class TicketEndedError(TicketStateError):
    """The ticket already ended (served, no-show, removed or transferred): it ends once."""


class TicketNotWaitingError(TicketStateError):
    """Only a waiting ticket can be called."""


class TicketNotCalledError(TicketStateError):
    """Only a called ticket can be recalled, started or marked as a no-show."""


class TicketNotInServiceError(TicketStateError):
    """Only a ticket in service can end its service."""


class WindowBusyError(QueueError, ConflictError):
    """The window still has a called or served ticket: finish it before calling the next."""


class TicketAtAnotherWindowError(QueueError, ForbiddenError):
    """The ticket was called to another window (or is reserved for one)."""


class NotTheTicketHolderError(QueueError, ForbiddenError):
    """An applicant may only cancel their own ticket."""
