"""Personal fields are sealed per data subject; erasing the subject destroys its key."""

from __future__ import annotations

import psycopg
import pytest
from typer.testing import CliRunner

from deploy.cli import app as cli
from services.catalog import CatalogService
from services.catalog.application import ItemTerms
from services.complaints import ComplaintService
from services.complaints.application import ComplaintDetails
from services.evaluations import EvaluationService
from services.evaluations.application import Invitation, Rating
from services.privacy import ERASED, PrivacyService
from services.queue import QueueService
from services.shared.errors import ValidationError
from services.staff import StaffService
from services.store import decode, verify_tenant

NAME, PHONE, FACTS = "欧阳测试", "13911112222", "窗口工作人员态度冷淡，欧阳测试很不满意"


def _complain(platform, hall, applicant="a-1", name=NAME, phone=PHONE, facts=FACTS):
    details = ComplaintDetails(
        channel="IN_PERSON",
        facts=facts,
        applicant_id=applicant,
        complainant_name=name,
        complainant_phone=phone,
    )
    return platform.hall_app(ComplaintService, hall).receive_complaint(details, applicant)


def _raw_states(database_url, hall):
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT state FROM events WHERE tenant_id = %s ORDER BY position", (hall,)
        ).fetchall()
    return b"\n".join(bytes(r[0]) for r in rows)


def _received(platform, hall):
    """The ``ComplaintReceived`` events as every consumer decodes them."""
    events = [decode(n) for n in platform.store.recorder(hall).select_notifications(1, 1000)]
    return {str(e.originator_id): e for e in events if hasattr(e, "complainant_name")}


def _erase(platform, hall, subject):
    return platform.hall_app(PrivacyService, hall).erase_personal_data(
        subject, "申请人依《个人信息保护法》第四十七条请求删除", "admin-1"
    )


def test_personal_fields_are_stored_sealed_and_read_in_plaintext(platform, hall, database_url):
    complaint = _complain(platform, hall)
    raw = _raw_states(database_url, hall)
    for plain in (NAME, PHONE, FACTS):
        assert plain.encode() not in raw
    assert b'"_sealed_"' in raw
    assert b'"applicant_id":"a-1"' in raw  # the subject id itself is not personal data

    event = _received(platform, hall)[str(complaint.id)]
    assert (event.complainant_name, event.complainant_phone, event.facts) == (NAME, PHONE, FACTS)


def test_events_without_personal_data_are_stored_unchanged(platform, hall, database_url):
    raw = _raw_states(database_url, hall)  # only HallRegistered
    assert b"_sealed_" not in raw
    assert "隐私测试大厅".encode() in raw


def test_erasure_destroys_the_key_everywhere_and_the_chain_still_verifies(
    platform, hall, database_url, find_plaintext, monkeypatch
):
    complaint = _complain(platform, hall)
    other = _complain(
        platform, hall, applicant="a-2", name="司马保留", phone="13700001111", facts="另一投诉"
    )
    assert find_plaintext(PHONE) == []  # sealed from the start

    erasure = _erase(platform, hall, "a-1")
    assert erasure.record_ids == [str(complaint.id)]

    received = _received(platform, hall)
    erased = received[str(complaint.id)]
    assert (erased.complainant_name, erased.complainant_phone, erased.facts) == (ERASED,) * 3
    assert erased.applicant_id == "a-1"  # non-personal fields are intact
    assert received[str(other.id)].complainant_name == "司马保留"

    for plain in (NAME, PHONE, FACTS):
        assert find_plaintext(plain) == [], plain
    assert verify_tenant(database_url, hall).ok
    monkeypatch.setenv("DATABASE_URL", database_url)
    result = CliRunner().invoke(cli, ["verify", "--tenant", hall])
    assert result.exit_code == 0, result.output

    last = platform.store.recorder(hall).select_notifications(1, 1000)[-1]
    assert type(decode(last)).__name__ == "PersonalDataErased"
    assert decode(last).subject_id == "a-1"


def test_an_aggregate_holding_personal_data_reads_erased_after_erasure(platform, hall):
    staff = platform.hall_app(StaffService, hall)
    member = staff.onboard_staff("S900", "诸葛测试", "WINDOW_STAFF", ["综合受理"], "admin")
    assert staff.repository.get(member.id).name == "诸葛测试"
    # StaffOnboarded names no subject: its subject is the record itself.
    _erase(platform, hall, f"record:{member.id}")
    assert staff.repository.get(member.id).name == ERASED
    assert staff.repository.get(member.id).badge_number == "S900"


def test_a_subject_is_erased_across_contexts_and_records(platform, hall, find_plaintext):
    _complain(platform, hall, applicant="a-5", name="公孙多处", phone="13600002222")
    evaluations = platform.hall_app(EvaluationService, hall)
    invitation = Invitation("VISIT", "T-0001", "OFFLINE", applicant_id="a-5")
    evaluation = evaluations.invite_evaluation(invitation, "staff-1")
    rating = Rating("SATISFIED", {"OVERALL": 4}, comment="公孙多处的评价留言")
    evaluations.submit_rating(evaluation.id, rating, "a-5")
    assert find_plaintext("公孙多处") == []

    erasure = _erase(platform, hall, "a-5")
    assert len(erasure.record_ids) == 2
    comments = [
        decode(n).comment
        for n in platform.store.recorder(hall).select_notifications(1, 1000)
        if hasattr(decode(n), "comment") and decode(n).originator_id == evaluation.id
    ]
    assert comments == [ERASED]


def test_data_recorded_after_an_erasure_gets_a_new_key(platform, hall):
    _complain(platform, hall, applicant="a-3")
    _erase(platform, hall, "a-3")
    later = _complain(platform, hall, applicant="a-3", name="再次来访", facts="新的投诉内容")
    assert _received(platform, hall)[str(later.id)].complainant_name == "再次来访"


def test_an_erasure_needs_a_reason_and_a_valid_subject(platform, hall):
    privacy = platform.hall_app(PrivacyService, hall)
    with pytest.raises(ValidationError, match="reason"):
        privacy.erase_personal_data("a-1", "  ", "admin-1")
    with pytest.raises(ValidationError, match="subject"):
        privacy.erase_personal_data("张三", "请求删除", "admin-1")


def test_snapshots_of_records_with_personal_data_are_sealed_and_ignored_once_erased(
    platform, hall, database_url
):
    class SnapshottingStaff(StaffService):
        is_snapshotting_enabled = True

    app = platform.store.application(SnapshottingStaff, hall)
    app.hall_id = hall
    member = app.onboard_staff("S901", "上官快照", "WINDOW_STAFF", ["综合受理"], "admin")
    app.take_snapshot(member.id)
    with psycopg.connect(database_url) as conn:
        (state,) = conn.execute(
            "SELECT state FROM snapshots WHERE tenant_id = %s AND originator_id = %s",
            (hall, str(member.id)),
        ).fetchone()
    assert "上官快照".encode() not in bytes(state)
    assert app.repository.get(member.id).name == "上官快照"

    _erase(platform, hall, f"record:{member.id}")
    assert app.repository.get(member.id).name == ERASED


def test_a_shared_record_keeps_the_data_of_other_subjects_and_of_anonymous_entries(
    platform, hall, database_url
):
    """Several applicants' (and an anonymous) personal data in one record, a queue day:
    erasing one applicant erases only theirs."""
    platform.hall_app(CatalogService, hall).publish_service_item(
        "ZH-1", ItemTerms(name="综合受理", category="OTHER"), "admin"
    )
    queue = platform.hall_app(QueueService, hall)
    queue.configure_queue("ZH", "综合受理", "A", ["ZH-1"], "admin")
    for applicant, phone in (("a-x", "13900000001"), ("a-y", "13900000002"), ("", "13900000003")):
        queue.issue_ticket("ZH", "KIOSK", "kiosk-1", applicant_id=applicant, phone=phone)
    events = [decode(n) for n in platform.store.recorder(hall).select_notifications(1, 1000)]
    issued = [e for e in events if type(e).__name__ == "TicketIssued"]
    day = issued[0].originator_id
    assert {e.originator_id for e in issued} == {day}  # one record, three subjects

    erasure = _erase(platform, hall, "a-x")
    assert erasure.record_ids == [str(day)]
    events = [decode(n) for n in platform.store.recorder(hall).select_notifications(1, 1000)]
    phones = [e.phone for e in events if type(e).__name__ == "TicketIssued"]
    assert phones == [ERASED, "13900000002", "13900000003"]
