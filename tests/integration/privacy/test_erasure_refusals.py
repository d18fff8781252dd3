"""An erasure must destroy a key: one that would erase nothing is refused and records nothing.

A subject erased before is not erased again: the earlier erasure is returned.
"""

from __future__ import annotations

import pytest

from gateway.auth import Role
from services.catalog import CatalogService
from services.catalog.application import ItemTerms
from services.privacy import ERASED, PrivacyService, RecordOfSubjectError, UnknownSubjectError
from services.privacy.keys import destroy_subject_keys
from services.queue import QueueService
from services.staff import StaffService
from services.store import decode
from services.store.text import NulCharacterError
from tests.integration.privacy.test_crypto_shredding import NAME, _complain, _erase, _received

ERASE = """mutation($s: String!, $r: String!) {
  erasePersonalData(subjectId: $s, reason: $r) { subjectId position recordIds } }"""


def _log(platform, hall) -> list[str]:
    """The type names of the hall's events, in order."""
    notifications = platform.store.recorder(hall).select_notifications(1, 10_000)
    return [type(decode(n)).__name__ for n in notifications]


def test_erasing_a_subject_the_hall_holds_nothing_of_is_refused_and_records_nothing(platform, hall):
    complaint = _complain(platform, hall)  # applicant a-1
    before = _log(platform, hall)
    with pytest.raises(UnknownSubjectError, match="'a-l'") as refused:
        _erase(platform, hall, "a-l")  # a typo of a-1
    assert refused.value.code == "NOT_FOUND"
    assert _log(platform, hall) == before
    assert _received(platform, hall)[str(complaint.id)].complainant_name == NAME


def test_erasing_the_record_of_a_subjects_complaint_is_refused_naming_the_subject(platform, hall):
    complaint = _complain(platform, hall)  # sealed with a-1's key, not the record's
    before = _log(platform, hall)
    with pytest.raises(RecordOfSubjectError, match="data subject 'a-1'") as refused:
        _erase(platform, hall, f"record:{complaint.id}")
    assert refused.value.code == "VALIDATION"
    assert _log(platform, hall) == before
    assert _received(platform, hall)[str(complaint.id)].complainant_name == NAME

    erasure = _erase(platform, hall, "a-1")  # what the message says to do
    assert erasure.record_ids == [str(complaint.id)]
    assert _received(platform, hall)[str(complaint.id)].complainant_name == ERASED


def test_erasing_an_erased_subject_again_returns_the_earlier_erasure_and_records_nothing(
    platform, hall
):
    complaint = _complain(platform, hall)
    first = _erase(platform, hall, "a-1")
    before = _log(platform, hall)
    again = _erase(platform, hall, "a-1")
    assert again == first
    assert again.record_ids == [str(complaint.id)]
    assert _log(platform, hall) == before

    staff = platform.hall_app(StaffService, hall)
    member = staff.onboard_staff("S902", "东郭重复", "WINDOW_STAFF", ["综合受理"], "admin")
    first = _erase(platform, hall, f"record:{member.id}")
    assert _erase(platform, hall, f"record:{member.id}") == first


def test_a_subject_with_new_data_after_an_erasure_is_erased_again(platform, hall):
    _complain(platform, hall, applicant="a-3")
    first = _erase(platform, hall, "a-3")
    later = _complain(platform, hall, applicant="a-3", name="再次来访", facts="新的投诉内容")
    second = _erase(platform, hall, "a-3")
    assert second.position > first.position
    assert _received(platform, hall)[str(later.id)].complainant_name == ERASED


def test_keys_destroyed_without_an_erasure_event_get_one_when_the_subject_is_erased(platform, hall):
    _complain(platform, hall, applicant="a-4")
    session = platform.store.recorder(hall).session
    assert destroy_subject_keys(session.fetch, hall, "a-4") == 1
    erasure = _erase(platform, hall, "a-4")
    assert _log(platform, hall)[-1] == "PersonalDataErased"
    assert _erase(platform, hall, "a-4") == erasure


def test_the_own_data_of_a_shared_record_are_erasable_but_not_its_subjects_data(platform, hall):
    platform.hall_app(CatalogService, hall).publish_service_item(
        "ZH-1", ItemTerms(name="综合受理", category="OTHER"), "admin"
    )
    queue = platform.hall_app(QueueService, hall)
    queue.configure_queue("ZH", "综合受理", "A", ["ZH-1"], "admin")
    for applicant, phone in (("a-x", "13900000001"), ("a-y", "13900000002"), ("", "13900000003")):
        queue.issue_ticket("ZH", "KIOSK", "kiosk-1", applicant_id=applicant, phone=phone)
    day = next(e.originator_id for e in _events(platform, hall) if _is_ticket(e))

    erasure = _erase(platform, hall, f"record:{day}")  # the anonymous ticket's phone
    assert erasure.record_ids == [str(day)]
    phones = [e.phone for e in _events(platform, hall) if _is_ticket(e)]
    assert phones == ["13900000001", "13900000002", ERASED]

    _erase(platform, hall, "a-x")
    _erase(platform, hall, "a-y")
    assert _erase(platform, hall, f"record:{day}") == erasure  # erased before


def test_the_record_of_a_shared_record_without_own_data_names_its_subjects(platform, hall):
    platform.hall_app(CatalogService, hall).publish_service_item(
        "ZH-1", ItemTerms(name="综合受理", category="OTHER"), "admin"
    )
    queue = platform.hall_app(QueueService, hall)
    queue.configure_queue("ZH", "综合受理", "A", ["ZH-1"], "admin")
    for n in range(5):
        queue.issue_ticket("ZH", "KIOSK", "kiosk-1", applicant_id=f"q-{n}", phone=f"1390000000{n}")
    day = next(e.originator_id for e in _events(platform, hall) if _is_ticket(e))
    with pytest.raises(RecordOfSubjectError, match="'q-0', 'q-1', 'q-2' and 2 more"):
        _erase(platform, hall, f"record:{day}")


def test_the_mutation_reports_refusals_with_their_codes(gql, token, platform, hall):
    complaint = _complain(platform, hall)
    admin = token(Role.HALL_ADMIN, hall, "admin-5")
    reason = "申请人请求删除"
    typo = gql(ERASE, {"s": "a-l", "r": reason}, token=admin).json()
    assert [e["extensions"]["code"] for e in typo["errors"]] == ["NOT_FOUND"]
    record = gql(ERASE, {"s": f"record:{complaint.id}", "r": reason}, token=admin).json()
    assert [e["extensions"]["code"] for e in record["errors"]] == ["VALIDATION"]
    assert "'a-1'" in record["errors"][0]["message"]

    done = gql(ERASE, {"s": "a-1", "r": reason}, token=admin).json()["data"]["erasePersonalData"]
    again = gql(ERASE, {"s": "a-1", "r": reason}, token=admin).json()["data"]["erasePersonalData"]
    assert (
        done
        == again
        == {
            "subjectId": "a-1",
            "position": done["position"],
            "recordIds": [str(complaint.id)],
        }
    )


def _events(platform, hall):
    return [decode(n) for n in platform.store.recorder(hall).select_notifications(1, 10_000)]


def _is_ticket(event) -> bool:
    return type(event).__name__ == "TicketIssued"


def test_an_erasure_whose_reason_has_a_nul_character_is_refused_and_erases_nothing(platform, hall):
    """The erasure appends its event itself (not through the recorder): the same check,
    else a read model that parses it stopped on the hall for good."""
    complaint = _complain(platform, hall)
    before = _log(platform, hall)
    with pytest.raises(NulCharacterError) as refused:
        platform.hall_app(PrivacyService, hall).erase_personal_data(
            "a-1", "依申请\u0000删除", "admin-1"
        )
    assert refused.value.code == "VALIDATION"
    assert _log(platform, hall) == before
    assert _received(platform, hall)[str(complaint.id)].complainant_name == NAME  # key kept
