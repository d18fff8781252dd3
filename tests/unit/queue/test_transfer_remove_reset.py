"""Transfers (转号 / 转窗口), removals and cancellations, and the daily reset."""

from __future__ import annotations

from datetime import date

import pytest

from services.places import WindowNotFoundError
from services.queue import (
    Channel,
    NoTicketWaitingError,
    NotTheTicketHolderError,
    QueueDayClosedError,
    QueueNotFoundError,
    QueueNotServedError,
    TicketEndedError,
    TicketStateError,
    TicketStatus,
)
from services.shared import ValidationError
from services.staff import StaffNotOnDutyError
from tests.unit.queue.support import refused


def test_a_served_ticket_moves_to_another_queue_under_a_new_number_at_the_front(hall):
    hall.issue("BD")
    hall.issue("BD")  # B002 waits
    source = hall.issue("ZH", priority_group="SENIOR")
    hall.call("W3")
    hall.queue.start_service("ZH", 1, "S3", "S3")
    moved = hall.queue.transfer_ticket("ZH", 1, "S3", to_queue_code="BD", badge="S3")
    assert (moved.display_number, moved.channel, moved.transferred_from) == (
        "B003",
        Channel.TRANSFER,
        "ZH/1",
    )
    assert (moved.priority_group, moved.waiting_since) == (source.priority_group, source.issued_at)
    ended = hall.queue.get_ticket("ZH", 1)
    assert (ended.status, ended.transferred_to) == (TicketStatus.TRANSFERRED, "BD/3")
    assert hall.line("BD") == ["B003", "B001", "B002"]
    assert hall.call("W2").display_number == "B003"


def test_a_transfer_to_a_window_reserves_the_ticket_for_it(hall):
    hall.issue("ZH")
    hall.issue("ZH")
    hall.call("W3")
    kept = hall.queue.transfer_ticket("ZH", 1, "S3", to_window_code="W1", badge="S3")
    assert (kept.display_number, kept.status, kept.reserved_window) == (
        "A001",
        TicketStatus.WAITING,
        "W1",
    )
    assert hall.line("ZH") == ["A001", "A002"]
    assert hall.call("W3").display_number == "A002"  # W3 skips A001
    assert hall.call("W1").display_number == "A001"


def test_a_transfer_to_another_queue_and_window(hall):
    hall.issue("ZH")
    moved = hall.queue.transfer_ticket("ZH", 1, "admin", to_queue_code="BD", to_window_code="W2")
    assert (moved.display_number, moved.reserved_window) == ("B001", "W2")
    refused(hall.queue, NoTicketWaitingError, lambda: hall.call("W1"))  # reserved for W2
    assert hall.call("W2").display_number == "B001"


@pytest.mark.parametrize(
    ("kw", "error"),
    [
        ({}, ValidationError),
        ({"to_queue_code": "NOPE"}, QueueNotFoundError),
        ({"to_window_code": "W9"}, WindowNotFoundError),
        ({"to_window_code": "W2"}, QueueNotServedError),  # W2 serves BD only
        ({"to_queue_code": "BD", "to_window_code": "W3"}, QueueNotServedError),
    ],
)
def test_refuses_transfers_to_nowhere(hall, kw, error):
    hall.issue("ZH")
    refused(hall.queue, error, lambda: hall.queue.transfer_ticket("ZH", 1, "S3", badge="S3", **kw))


def test_a_called_ticket_is_transferred_only_from_its_window(hall):
    hall.issue("ZH")
    hall.call("W3")
    transfer = hall.queue.transfer_ticket
    refused(
        hall.queue,
        StaffNotOnDutyError,
        lambda: transfer("ZH", 1, "S1", to_queue_code="BD", badge="S1"),
    )
    refused(hall.queue, StaffNotOnDutyError, lambda: transfer("ZH", 1, "admin", to_queue_code="BD"))
    hall.queue.start_service("ZH", 1, "S3", "S3")
    hall.queue.end_service("ZH", 1, "S3", "COMPLETED", "S3")
    refused(
        hall.queue,
        TicketEndedError,
        lambda: transfer("ZH", 1, "S3", to_queue_code="BD", badge="S3"),
    )


def test_a_transfer_into_a_closed_day_records_nothing(hall):
    hall.issue("ZH")
    hall.issue("BD")
    hall.queue.reset_queue("BD", "admin")
    refused(
        hall.queue,
        QueueDayClosedError,
        lambda: hall.queue.transfer_ticket("ZH", 1, "admin", to_queue_code="BD"),
    )
    assert hall.queue.get_ticket("ZH", 1).status is TicketStatus.WAITING


def test_an_applicant_cancels_their_own_ticket_only(hall):
    hall.issue("ZH", channel="MOBILE", applicant_id="u-1")
    remove = hall.queue.remove_ticket
    code = refused(
        hall.queue, NotTheTicketHolderError, lambda: remove("ZH", 1, "不办了", "u-2", holder="u-2")
    )
    assert code == "FORBIDDEN"
    removed = remove("ZH", 1, "不办了", "u-1", holder="u-1")
    assert (removed.status, removed.end_reason) == (TicketStatus.REMOVED, "不办了")
    assert hall.line("ZH") == []
    refused(hall.queue, TicketEndedError, lambda: remove("ZH", 1, "again", "u-1", holder="u-1"))


def test_staff_remove_waiting_or_called_tickets_but_not_one_in_service(hall):
    for _ in range(3):
        hall.issue("ZH")
    hall.call("W3")
    remove = hall.queue.remove_ticket
    refused(hall.queue, ValidationError, lambda: remove("ZH", 2, " ", "admin"))
    assert remove("ZH", 2, "重复取号", "admin").status is TicketStatus.REMOVED
    assert remove("ZH", 1, "办事人离开", "S3").status is TicketStatus.REMOVED
    hall.call("W3")
    hall.queue.start_service("ZH", 3, "S3", "S3")
    refused(hall.queue, TicketStateError, lambda: remove("ZH", 3, "x", "admin"))


def test_the_reset_removes_waiting_and_called_tickets_and_closes_the_day(hall, clock):
    for _ in range(4):
        hall.issue("ZH")
    hall.call("W3")  # A001 called
    hall.call("W1")  # A002 called …
    hall.queue.start_service("ZH", 2, "S1", "S1")  # … and in service
    clock.advance(hours=8)
    day = hall.queue.reset_queue("ZH", "system")
    assert (day.is_reset, day.reset_at) == (True, clock())
    statuses = [t.status for t in day.tickets]
    assert statuses == [
        TicketStatus.REMOVED,
        TicketStatus.SERVING,
        TicketStatus.REMOVED,
        TicketStatus.REMOVED,
    ]
    assert day.tickets[0].end_reason == "RESET"
    ended = hall.queue.end_service("ZH", 2, "S1", "COMPLETED", "S1")
    assert ended.ticket.status is TicketStatus.ENDED
    refused(hall.queue, QueueDayClosedError, lambda: hall.queue.reset_queue("ZH", "system"))
    clock.advance(hours=16)
    assert hall.issue("ZH").display_number == "A001"  # a new day, a new sequence


def test_a_past_day_can_be_reset_even_without_tickets(hall):
    day = hall.queue.reset_queue("BD", "system", date(2026, 3, 1))
    assert (day.service_day, day.tickets, day.is_reset) == ("2026-03-01", [], True)
    assert hall.issue("BD").display_number == "B001"  # today is untouched


def test_transferred_tickets_keep_their_order_at_the_front(hall):
    hall.issue("BD")  # B001 waits
    for _ in range(2):
        hall.issue("ZH")
    for number in (1, 2):
        hall.queue.transfer_ticket("ZH", number, "admin", to_queue_code="BD")
    assert hall.line("BD") == ["B002", "B003", "B001"]
