"""Every event of a day in the hall, as stored and read back, validates against its contract."""

from __future__ import annotations

from datetime import date

from eventsourcing.utils import get_topic

from contracts import event_type_for_topic, to_payload, validate_payload
from services.halls import MissedNumberPolicy


def test_a_days_events_validate_against_their_contracts(hall, clock):
    q, places, staff = hall.queue, hall.places, hall.staff
    places.register_place("ZX", "某镇便民服务中心", "GRASSROOTS_STATION", "某路1号", "admin")
    places.configure_window("W4", "投诉窗口", "COMPLAINT", [], "admin", place_code="ZX")
    places.reconfigure_window("W4", "投诉窗口", "COMPLAINT", ["X1"], ["BD"], "admin")
    places.reconfigure_window("W2", "窗口W2", "COMPREHENSIVE", [], ["BD", "ZH"], "admin")
    places.reconfigure_window("W2", "窗口W2", "COMPREHENSIVE", [], ["BD"], "admin")  # ZH dropped
    q.reconfigure_queue("BD", "帮办代办", "B", ["X1"], "admin")
    q.configure_queue("JD", "监督", "J", [], "admin")
    q.reconfigure_queue("JD", "监督", "K", [], "admin")  # J released, free from tomorrow
    clock.advance(days=1)
    q.reconfigure_queue("BD", "帮办代办", "J", ["X1"], "admin")  # J reclaimed, B released
    staff.onboard_staff("S4", "赵敏", "AGENT", [], "admin")
    staff.assign_to_window("S4", "W4", "B", "admin")
    staff.record_training("S4", "投诉处理", 3, date(2026, 2, 1), "", "admin")
    places.open_window("W4", "S4")
    places.suspend_window("W4", "午休", "S4")
    places.resume_window("W4", "S4")
    hall.policies(missed_number_policy=MissedNumberPolicy.DEFER)
    hall.issue("ZH", channel="MOBILE", applicant_id="u-1", phone="+86 138 0000 0000")
    hall.issue("ZH", channel="APPOINTMENT", appointment_id="YY-1", priority_group="SENIOR")
    hall.issue("ZH")
    hall.call("W3")
    q.recall_ticket("ZH", 2, "S3", "S3")
    q.mark_no_show("ZH", 2, "S3", "S3")
    hall.call("W3")  # A001: the missed senior waits behind it
    q.start_service("ZH", 1, "S3", "S3")
    q.end_service("ZH", 1, "S3", "MATERIALS_INCOMPLETE", "S3")
    q.transfer_ticket("ZH", 2, "admin", to_queue_code="BD", to_window_code="W2")
    q.remove_ticket("ZH", 3, "重复取号", "admin")
    q.reset_queue("BD", "system")
    staff.unassign_from_window("S4", "W4", "admin")
    staff.sign_out("S3", "S3")
    staff.offboard_staff("S4", "调岗", "admin")
    places.close_window("W4", "admin")

    notifications = q.recorder.select_notifications(start=1, limit=1000)
    seen = set()
    for notification in notifications:
        event = q.mapper.to_domain_event(notification)  # as stored, read back
        event_type, payload = to_payload(event)
        validate_payload(event_type, payload)
        seen.add(event_type.name)
        assert payload["actor"]
        if event_type.name == "queue.TicketIssued":
            assert event_type.personal_fields == ("phone",)
    mine = {
        t.name
        for t in map(event_type_for_topic, _my_topics())
        if t.name.split(".")[0] in ("places", "staff", "queue")
    }
    assert mine <= seen, f"not exercised: {sorted(mine - seen)}"


def _my_topics():
    import inspect

    from eventsourcing.domain import CanMutateAggregate

    import services.places.domain
    import services.queue.domain.day
    import services.queue.domain.queue
    import services.queue.domain.window
    import services.staff.domain

    for module in (
        services.places.domain,
        services.staff.domain,
        services.queue.domain.queue,
        services.queue.domain.day,
        services.queue.domain.window,
    ):
        for _, aggregate in inspect.getmembers(module, inspect.isclass):
            if aggregate.__module__ != module.__name__:
                continue
            for _, cls in inspect.getmembers(aggregate, inspect.isclass):
                if (
                    issubclass(cls, CanMutateAggregate)
                    and cls.__qualname__.startswith(aggregate.__qualname__ + ".")
                    and cls.__name__ not in ("Event", "Created")
                ):
                    yield get_topic(cls)
