"""A tiny hall domain for the store's tests: queue tickets (取号叫号)."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event


class Ticket(Aggregate):
    """A queue ticket (取号)."""

    @event("Issued")
    def __init__(self, number: str) -> None:
        self.number = number
        self.window: str | None = None

    @event("Called")
    def call(self, window: str) -> None:
        self.window = window


class Tickets(Application[UUID]):
    """Issues and calls tickets of one hall."""

    def issue(self, number: str) -> UUID:
        ticket = Ticket(number)
        self.save(ticket)
        return ticket.id

    def call(self, ticket_id: UUID, window: str) -> None:
        ticket: Ticket = self.repository.get(ticket_id)
        ticket.call(window)
        self.save(ticket)
