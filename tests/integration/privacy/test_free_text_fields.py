"""Free text in which a complainant's words or a person's name appear is personal data: the
reply, the investigation summary, the reasons of a withdrawal or a reopening, the
explanation of a rejection (complaints), a rating appeal's explanation, an interview's
notes. New events seal it per data subject (an erasure erases it), partners get it only
with personal data; events recorded before it was marked still read in plaintext."""

from __future__ import annotations

import json

import pytest

from contracts import event_type_for_topic
from services.complaints import ComplaintService
from services.complaints.application import ComplaintDetails
from services.partners import Delivery
from services.privacy import ERASED, PERSONAL_SPECS, PersonalSpec, PrivacyService
from services.privacy import codec as privacy_codec
from services.relay.messages import partner_message
from services.store import decode
from tests.integration.privacy.test_crypto_shredding import _raw_states

REASON = "投诉人张三来电撤回投诉，称已与窗口人员李四和解"

MARKED = {
    "complaints.ComplaintReplied": "content",
    "complaints.ComplaintInvestigated": "summary",
    "complaints.ComplaintWithdrawn": "reason",
    "complaints.ComplaintRejected": "explanation",
    "complaints.ComplaintReopened": "reason",
    "evaluations.RatingAppealed": "explanation",
    "supervision.InterviewHeld": "notes",
}


@pytest.mark.parametrize(("name", "field"), sorted(MARKED.items()))
def test_the_free_text_fields_are_personal(name, field):
    (spec,) = [s for s in PERSONAL_SPECS.values() if event_type_for_topic(s.topic).name == name]
    assert field in spec.fields


def _withdrawn_by_staff(platform, hall, applicant: str):
    complaints = platform.hall_app(ComplaintService, hall)
    details = ComplaintDetails(
        channel="PHONE",
        facts="窗口排队太久",
        applicant_id=applicant,
        complainant_name="张三",
        complainant_phone="13911112222",
    )
    complaint = complaints.receive_complaint(details, applicant)
    complaints.withdraw_complaint(complaint.id, REASON, "staff-1", as_complainant=False)
    return complaint


def _withdrawal(platform, hall):
    found = platform.store.recorder(hall).select_notifications(1, 1000)
    return next(n for n in found if n.topic.endswith("Complaint.Withdrawn"))


def test_a_withdrawal_reason_is_sealed_erased_with_its_subject_and_redacted(
    platform, hall, database_url
):
    _withdrawn_by_staff(platform, hall, "a-1")
    assert REASON.encode() not in _raw_states(database_url, hall)
    stored = _withdrawal(platform, hall)
    assert decode(stored).reason == REASON
    redacted = partner_message(hall, stored, "t", Delivery.REDACTED)
    assert json.loads(redacted.body)["reason"] is None
    assert redacted.header("ce_redacted") == "reason"
    assert json.loads(partner_message(hall, stored, "t", Delivery.FULL).body)["reason"] == REASON

    platform.hall_app(PrivacyService, hall).erase_personal_data("a-1", "依法删除", "admin-1")
    assert decode(_withdrawal(platform, hall)).reason == ERASED


def test_a_reason_recorded_before_it_was_personal_still_reads(
    platform, hall, database_url, monkeypatch
):
    """Recorded by the code of before (no sealing of the reason): stored in plaintext, it
    decodes, the complaint loads, and partners without personal data still get it null."""
    topic = _withdrawn_topic()
    before = {t: s for t, s in PERSONAL_SPECS.items() if t != topic}
    monkeypatch.setattr(privacy_codec, "PERSONAL_SPECS", before)
    complaint = _withdrawn_by_staff(platform, hall, "a-2")
    monkeypatch.undo()
    assert REASON.encode() in _raw_states(database_url, hall)  # as the old code stored it

    stored = _withdrawal(platform, hall)
    assert decode(stored).reason == REASON
    assert platform.hall_app(ComplaintService, hall).get_complaint(complaint.id).status.value == (
        "WITHDRAWN"
    )
    assert json.loads(partner_message(hall, stored, "t", Delivery.REDACTED).body)["reason"] is None


def _withdrawn_topic() -> str:
    specs: list[PersonalSpec] = [
        s
        for s in PERSONAL_SPECS.values()
        if event_type_for_topic(s.topic).name == "complaints.ComplaintWithdrawn"
    ]
    return specs[0].topic
