"""The hall's call rule decides which ticket a window calls among the queues it serves."""

from __future__ import annotations

from services.halls import CallRule


def test_longest_waiting_calls_the_earliest_head_across_queues(hall):
    hall.policies(call_rule=CallRule.LONGEST_WAITING)
    hall.issue("BD")  # B001 first
    hall.issue("ZH", priority_group="SENIOR")  # A001: priority does not count here
    hall.issue("ZH")
    assert [hall.call("W1").display_number] == ["B001"]
    hall.queue.start_service("BD", 1, "S1", "S1")
    hall.queue.end_service("BD", 1, "S1", "COMPLETED", "S1")
    assert hall.call("W1").display_number == "A001"


def test_priority_tickets_go_first_then_the_longest_waiting(hall):
    hall.policies(call_rule=CallRule.PRIORITY_THEN_LONGEST_WAITING)
    hall.issue("ZH")  # A001
    hall.issue("BD")  # B001
    hall.issue("ZH", priority_group="DISABLED")  # A002
    hall.issue("BD", priority_group="PREGNANT")  # B002
    order = []
    for _ in range(4):
        ticket = hall.call("W1")
        order.append(ticket.display_number)
        hall.queue.start_service(ticket.queue_code, ticket.number, "S1", "S1")
        hall.queue.end_service(ticket.queue_code, ticket.number, "S1", "COMPLETED", "S1")
    assert order == ["A002", "B002", "A001", "B001"]


def test_within_one_queue_the_line_order_holds_and_priority_jumps_it(hall):
    for group in ["NONE", "NONE", "MILITARY", "NONE"]:
        hall.issue("ZH", priority_group=group)
    assert hall.line("ZH") == ["A001", "A002", "A003", "A004"]
    assert hall.call("W3").display_number == "A003"
    assert hall.line("ZH") == ["A001", "A002", "A004"]


def test_equal_waiting_times_go_to_the_windows_first_queue(hall):
    hall.policies(call_rule=CallRule.LONGEST_WAITING)
    hall.issue("BD", minutes=0)
    hall.issue("ZH", minutes=0)  # same instant
    assert hall.call("W1").display_number == "A001"  # W1 serves ZH before BD
