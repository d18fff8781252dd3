"""Queues and issuing tickets (取号): one number sequence per queue and service day."""

from __future__ import annotations

from datetime import date

import pytest

from services.catalog import CatalogService
from services.halls import HallNotRegisteredError
from services.queue import (
    Channel,
    PriorityGroup,
    Queue,
    QueueDay,
    QueueDayClosedError,
    QueueExistsError,
    QueueFullError,
    QueueNotFoundError,
    QueuePrefix,
    QueuePrefixTakenError,
    QueueService,
    TicketStatus,
)
from services.queue.domain.values import MAX_NUMBER
from services.shared import ValidationError
from tests.unit.queue.support import refused


def test_configures_and_reconfigures_a_queue(hall):
    queue = hall.queue.get_queue("ZH")
    assert (queue.name, queue.prefix, queue.item_codes) == ("综合受理", "A", ["X1"])
    changed = hall.queue.reconfigure_queue("ZH", "综合受理（一）", "C", [], "admin")
    assert (changed.name, changed.prefix, changed.item_codes) == ("综合受理（一）", "C", [])
    refused(
        hall.queue, QueueExistsError, lambda: hall.queue.configure_queue("ZH", "x", "D", [], "a")
    )


@pytest.mark.parametrize(
    ("code", "name", "prefix", "items"),
    [
        ("bad code", "n", "A", []),
        ("Q9", "", "A", []),
        ("Q9", "n", "a", []),
        ("Q9", "n", "ABC", []),
        ("Q9", "n", "1", []),
        ("Q9", "n", "A", ["NOPE"]),
    ],
)
def test_refuses_invalid_queues(hall, code, name, prefix, items):
    refused(
        hall.queue,
        ValidationError,
        lambda: hall.queue.configure_queue(code, name, prefix, items, "a"),
    )


def test_a_withdrawn_item_is_configured_onto_no_queue(hall, hall_apps):
    hall_apps(CatalogService, "h1").withdraw_service_item("X1", "事项取消", "admin")
    code = refused(
        hall.queue, ValidationError, lambda: hall.queue.configure_queue("Q9", "n", "C", ["X1"], "a")
    )
    assert code == "VALIDATION"
    refused(
        hall.queue,
        ValidationError,
        lambda: hall.queue.reconfigure_queue("ZH", "综合受理", "A", ["X1"], "admin"),
    )
    assert hall.queue.reconfigure_queue("ZH", "综合受理", "A", [], "admin").item_codes == []


def test_queues_need_a_registered_hall(hall_apps):
    app = hall_apps(QueueService, "nohall")
    refused(app, HallNotRegisteredError, lambda: app.configure_queue("Q", "n", "A", [], "a"))
    refused(app, HallNotRegisteredError, lambda: app.issue_ticket("Q", "KIOSK", "a"))


def test_numbers_run_per_queue_from_001_and_carry_their_times(hall, clock):
    first = hall.issue("ZH")
    second = hall.issue("ZH", channel="MOBILE", applicant_id="app-user-7", phone="13800000000")
    other = hall.issue("BD", channel="APPOINTMENT", appointment_id="YY-20260302-15")
    assert [first.display_number, second.display_number, other.display_number] == [
        "A001",
        "A002",
        "B001",
    ]
    assert (second.channel, second.applicant_id, second.status) == (
        Channel.MOBILE,
        "app-user-7",
        TicketStatus.WAITING,
    )
    assert other.issued_at == clock()
    assert (second.issued_at - first.issued_at).total_seconds() == 60
    assert (first.queue_code, first.service_day) == ("ZH", "2026-03-02")
    assert hall.line("ZH") == ["A001", "A002"]


def test_the_phone_is_in_the_event_only_never_in_the_days_state(hall):
    hall.issue("ZH", channel="MOBILE", applicant_id="app-user-7", phone="13800000000")
    day = hall.queue.get_day("ZH")
    assert "13800000000" not in repr(vars(day))
    issued = [e for e in hall.queue.events.get(day.id) if isinstance(e, QueueDay.TicketIssued)]
    assert issued[0].phone == "13800000000"


def test_the_sequence_restarts_each_day_in_china(hall, clock):
    hall.issue("ZH")
    hall.issue("ZH")
    clock.now = clock.now.replace(hour=15, minute=59)  # 23:59 in Beijing
    assert hall.issue("ZH", minutes=0).display_number == "A003"
    clock.advance(minutes=2)  # 00:01 on Tuesday in Beijing, still Monday in UTC
    tuesday = hall.issue("ZH", minutes=0)
    assert (tuesday.display_number, tuesday.service_day) == ("A001", "2026-03-03")
    monday = hall.queue.get_day("ZH", date(2026, 3, 2))
    assert [t.display_number for t in monday.tickets] == ["A001", "A002", "A003"]


def test_a_new_prefix_applies_from_the_next_day(hall, clock):
    hall.issue("ZH")
    hall.queue.reconfigure_queue("ZH", "综合受理", "C", ["X1"], "admin")
    assert hall.issue("ZH").display_number == "A002"
    clock.advance(days=1)
    assert hall.issue("ZH").display_number == "C001"


def test_a_prefix_another_queue_holds_is_refused(hall):
    """ZH holds A, BD holds B: no queue of the hall may hand out and announce their numbers."""
    q = hall.queue
    code = refused(q, QueuePrefixTakenError, lambda: q.configure_queue("ZH2", "二", "A", [], "a"))
    assert code == "CONFLICT"
    refused(q, QueuePrefixTakenError, lambda: q.reconfigure_queue("BD", "帮办代办", "A", [], "a"))
    assert (q.get_queue("BD").prefix, q.get_or_none(Queue.create_id("h1", "ZH2"))) == ("B", None)


def test_a_released_prefix_may_be_taken_again_from_the_next_day(hall, clock):
    hall.queue.reconfigure_queue("ZH", "综合受理", "C", ["X1"], "admin")  # A released
    clock.advance(days=1)
    again = hall.queue.configure_queue("ZH2", "综合受理二", "A", [], "admin")
    assert again.prefix == "A"
    refused(
        hall.queue,
        QueuePrefixTakenError,
        lambda: hall.queue.reconfigure_queue("BD", "帮办代办", "C", [], "admin"),
    )
    held = hall.queue.repository.get(QueuePrefix.create_id("h1", "A"))
    assert (held.queue_code, held.version) == ("ZH2", 3)  # claimed, released, reclaimed


def test_a_prefix_todays_numbers_carry_is_free_only_from_tomorrow(hall, clock):
    hall.issue("ZH")  # today's ZH numbers are A…
    hall.queue.reconfigure_queue("ZH", "综合受理", "C", ["X1"], "admin")
    refused(
        hall.queue,
        QueuePrefixTakenError,
        lambda: hall.queue.configure_queue("ZH2", "综合受理二", "A", [], "admin"),
    )
    hall.queue.reconfigure_queue("ZH", "综合受理", "A", ["X1"], "admin")  # back: its own
    hall.queue.reconfigure_queue("ZH", "综合受理", "C", ["X1"], "admin")
    clock.advance(days=1)
    assert hall.queue.configure_queue("ZH2", "综合受理二", "A", [], "admin").prefix == "A"
    assert [hall.issue("ZH").display_number, hall.issue("ZH2").display_number] == [
        "C001",
        "A001",
    ]


def test_a_queue_configured_before_prefixes_were_claimed_claims_its_own_when_changed(hall):
    legacy = Queue(
        hall_id="h1",
        code="OLD",
        name="旧队列",
        prefix="L",
        item_codes=[],
        actor="admin",
        timestamp=hall.clock(),
    )
    hall.queue.save(legacy)  # as recorded before QueuePrefix existed
    assert hall.queue.get_or_none(QueuePrefix.create_id("h1", "L")) is None
    hall.queue.reconfigure_queue("OLD", "旧队列（改名）", "L", [], "admin")
    assert hall.queue.repository.get(QueuePrefix.create_id("h1", "L")).queue_code == "OLD"
    refused(
        hall.queue,
        QueuePrefixTakenError,
        lambda: hall.queue.configure_queue("NEW", "新队列", "L", [], "admin"),
    )


@pytest.mark.parametrize(
    "kw",
    [
        {"channel": "FAX"},
        {"channel": "TRANSFER"},
        {"channel": "APPOINTMENT"},  # no appointment id
        {"channel": "KIOSK", "priority_group": "VIP"},
        {"channel": "MOBILE", "phone": "call me"},
        {"channel": "MOBILE", "applicant_id": "张三"},
        {"channel": "APPOINTMENT", "appointment_id": "x" * 65},
    ],
)
def test_refuses_invalid_tickets_and_records_nothing(hall, kw):
    refused(hall.queue, ValidationError, lambda: hall.issue("ZH", **kw))
    assert hall.queue.get_day("ZH") is None  # not even the day was started


def test_an_unknown_queue_is_not_found(hall):
    assert refused(hall.queue, QueueNotFoundError, lambda: hall.issue("NOPE")) == "NOT_FOUND"


def test_priority_groups_are_kept(hall):
    ticket = hall.issue("ZH", priority_group="SENIOR")
    assert (ticket.priority_group, ticket.is_priority) == (PriorityGroup.SENIOR, True)


def test_a_day_issues_at_most_999_numbers(hall):
    day = QueueDay(
        hall_id="h1",
        queue_code="ZH",
        service_day="2026-03-02",
        prefix="A",
        started_at=hall.clock(),
        actor="t",
        timestamp=hall.clock(),
    )
    for _ in range(MAX_NUMBER):
        day.issue("KIOSK", "NONE", "", "", "", hall.clock(), "t")
    assert day.tickets[-1].display_number == "A999"
    hall.queue.save(day)
    assert refused(hall.queue, QueueFullError, lambda: hall.issue("ZH")) == "CONFLICT"


def test_no_ticket_after_the_days_reset(hall):
    hall.issue("ZH")
    hall.queue.reset_queue("ZH", "system")
    assert refused(hall.queue, QueueDayClosedError, lambda: hall.issue("ZH")) == "CONFLICT"
