"""A complaint whose applicant was erased (crypto-shredding) still loads; new ones are checked."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.complaints.domain import Complaint
from services.privacy import ERASED
from services.shared import ValidationError

FIELDS = dict(
    hall_id="demo",
    channel="IN_PERSON",
    anonymous=False,
    applicant_id="a-1",
    respondent_window="W01",
    respondent_badge="",
    evidence=[],
    actor="a-1",
)


def test_replaying_a_received_event_with_erased_personal_fields_succeeds():
    complaint = Complaint(
        **FIELDS,
        complainant_name=ERASED,
        complainant_phone=ERASED,
        facts=ERASED,
        timestamp=datetime(2026, 9, 30, 2, tzinfo=UTC),
    )
    assert complaint.applicant_id == "a-1"


def test_receiving_a_complaint_still_checks_its_input():
    with pytest.raises(ValidationError, match="phone"):
        Complaint.receive(
            **FIELDS,
            complainant_name="张三",
            complainant_phone="not-a-phone",
            facts="窗口人员态度生硬",
            now=datetime(2026, 9, 30, 2, tzinfo=UTC),
        )
