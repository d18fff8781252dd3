"""Every event a complaint's life records validates against its published contract."""

from __future__ import annotations

from contracts import to_payload, validate_payload
from services.complaints import ComplaintDetails


def _validate_log(app) -> set[str]:
    names = set()
    for notification in app.recorder.select_notifications(start=1, limit=10_000):
        event_type, payload = to_payload(app.mapper.to_domain_event(notification))
        validate_payload(event_type, payload)
        names.add(event_type.name)
    return names


def test_stored_complaint_events_match_their_contracts(complaints):
    real = ComplaintDetails(
        channel="HOTLINE_12345",
        facts="办理营业执照时被要求提供额外材料",
        applicant_id="a-1",
        complainant_name="张三",
        complainant_phone="+86 138-0000-0000",
        respondent_window="W01",
        respondent_badge="S001",
        evidence=["file:1"],
    )
    c = complaints.receive_complaint(real, "staff-1")
    complaints.accept_complaint(c.id, "INTERVENTION", "admin")
    complaints.assign_complaint(c.id, "市场监管局窗口", "admin")
    complaints.extend_complaint_deadline(c.id, 2, "需协调部门", "admin")
    complaints.investigate_complaint(c.id, "SUBSTANTIATED", "属实", "S009")
    complaints.dispose_complaint(c.id, ["退回多收材料要求"], "S009")
    complaints.reply_to_complaint(c.id, "已纠正", "S009")
    complaints.follow_up_complaint(c.id, False, "仍不满意", "S009")
    complaints.reopen_complaint(c.id, "再查", "admin")
    complaints.withdraw_complaint(c.id, "", "a-1", as_complainant=True)
    complaints.archive_complaint(c.id, "admin")
    anonymous = ComplaintDetails(channel="LETTER", facts="意见箱来信", anonymous=True)
    d = complaints.receive_complaint(anonymous, "staff-1")
    complaints.reject_complaint(d.id, "NO_CLEAR_RESPONDENT", "无明确被投诉对象", "admin")
    assert _validate_log(complaints) >= {
        "complaints.ComplaintReceived",
        "complaints.ComplaintAccepted",
        "complaints.ComplaintAssigned",
        "complaints.ComplaintDeadlineExtended",
        "complaints.ComplaintInvestigated",
        "complaints.ComplaintDisposed",
        "complaints.ComplaintReplied",
        "complaints.ComplaintFollowedUp",
        "complaints.ComplaintReopened",
        "complaints.ComplaintWithdrawn",
        "complaints.ComplaintArchived",
        "complaints.ComplaintRejected",
        "rectifications.RectificationOpened",
    }
