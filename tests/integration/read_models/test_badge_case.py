"""Badge numbers (工号) are not case-sensitive, from the command to the read models: a
complaint naming s001 is about S001, a lower-case badge reads S001's worklist and record, and
a member onboarded in lower case before badges were canonical (s009) keeps working. Real
commands through the store, read over GraphQL."""

from __future__ import annotations

import json
from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent

from gateway.auth import Role
from services.cases import Applicant, CaseRequest, CaseService
from services.complaints import ComplaintService, RespondentRecusalError
from services.complaints.application import ComplaintDetails
from services.evaluations import Evaluation, EvaluationService, Invitation, Rating
from services.staff import StaffMember, StaffService
from tests.integration.read_models.conftest import ITEM, data, edges, moment, serving

DAY = "2026-03-02"
WORKLIST = """query($b: String) { staffWorklist(badgeNumber: $b) {
  badgeNumber openCases openComplaints items { edges { node { kind recordId } } } } }"""
COMPLAINTS = """query($staff: String) { complaints(filter: {staff: $staff}) {
  edges { node { complaintId respondentBadge assignee } } } }"""
ROSTER = "{ staffMembers { edges { node { badgeNumber } } } }"


def _complaint(app: ComplaintService, respondent: str) -> UUID:
    details = ComplaintDetails(
        channel="IN_PERSON",
        facts="态度生硬",
        anonymous=True,
        respondent_window="W01",
        respondent_badge=respondent,
    )
    return app.receive_complaint(details, "staff-1").id


@pytest.fixture
def records(hall, app_at, project) -> dict[str, str]:
    staff = app_at(StaffService, hall, moment(DAY))
    # Onboarded before badges were canonical: the lower-case badge is the member's record.
    staff.save(
        StaffMember(
            hall_id=hall,
            badge_number="s009",
            name="赵六",
            role="WINDOW_STAFF",
            skills=[],
            actor="admin-1",
            timestamp=moment(DAY),
        )
    )
    complaints = app_at(ComplaintService, hall, moment(DAY))
    about = _complaint(complaints, " s001")
    complaints.accept_complaint(about, "INTERVENTION", "admin-1")
    with pytest.raises(RespondentRecusalError):  # 回避: S001 is the respondent
        complaints.assign_complaint(about, "S001", "admin-1")
    complaints.assign_complaint(about, "s009", "admin-1")
    cases = app_at(CaseService, hall, moment(DAY))
    person = Applicant("citizen-1", "张三", "110101199003070011", "13800000000")
    case = cases.request_case(CaseRequest("ONSITE_GUIDANCE", ITEM, "事项", "HALL", person), "x")
    cases.accept_case(case.id, "s002", "admin-1")
    project()
    return {"complaint": str(about), "case": str(case.id)}


def test_a_lower_case_badge_finds_the_complaint_about_its_member(gql, token, hall, records):
    admin = token(Role.HALL_ADMIN, hall, "admin-1")
    for staff in ("s001", "S001"):
        found = edges(data(gql(COMPLAINTS, {"staff": staff}, token=admin), "complaints"))
        assert found == [
            {"complaintId": records["complaint"], "respondentBadge": "S001", "assignee": "S009"}
        ]


def test_a_lower_case_badge_reads_its_members_worklist(gql, token, hall, records):
    admin = token(Role.HALL_ADMIN, hall, "admin-1")
    worklist = data(gql(WORKLIST, {"b": "s002"}, token=admin), "staffWorklist")
    assert (worklist["openCases"], edges(worklist["items"])) == (
        1,
        [{"kind": "OPEN_CASE", "recordId": records["case"]}],
    )
    # A staff token whose subject is in lower case reads its own worklist, not FORBIDDEN.
    own = gql(WORKLIST, {"b": "S002"}, token=token(Role.STAFF, hall, "s002"))
    assert data(own, "staffWorklist")["openCases"] == 1


def test_a_member_onboarded_in_lower_case_keeps_their_record_and_work(gql, token, hall, records):
    for subject in ("s009", "S009"):
        me = token(Role.STAFF, hall, subject)
        roster = edges(data(gql(ROSTER, token=me), "staffMembers"))
        assert roster == [{"badgeNumber": "s009"}]  # their own record, as onboarded
        worklist = data(gql(WORKLIST, {"b": None}, token=me), "staffWorklist")
        assert (worklist["openComplaints"], edges(worklist["items"])) == (
            1,
            [{"kind": "OPEN_COMPLAINT", "recordId": records["complaint"]}],
        )


STATS = """query($key: String) { evaluationStatistics(by: STAFF, key: $key) {
  edges { node { key month invited rated rank } } } }"""


def test_a_member_onboarded_in_lower_case_has_one_row_of_evaluation_statistics(
    gql, token, hall, records, app_at, project
):
    """s009's visits rated before the upgrade name ``s009`` (as the old code recorded the
    invitation); those since name ``S009``: one member, one row of 好评率 and one rank."""
    serving(app_at, hall, DAY, "W01")
    evaluations = app_at(EvaluationService, hall, moment(DAY))
    before = Evaluation.invite(  # stored below as the code before canonical badges did
        hall_id=hall,
        subject_kind="VISIT",
        subject_ref="ZH-A001",
        channel="OFFLINE",
        applicant_id="a-1",
        window_code="W01",
        staff_badge="s009",
        item_code="",
        rating_code="",
        now=moment(DAY),
        unrated_default_days=7,
        actor="s009",
    )
    (invited,) = before.collect_events()
    stored = evaluations.mapper.to_stored_event(invited)
    state = json.loads(stored.state)
    assert state["staff_badge"] == "S009"
    state["staff_badge"] = "s009"
    evaluations.recorder.insert_events(
        [StoredEvent(stored.originator_id, 1, stored.topic, json.dumps(state).encode())]
    )
    since = evaluations.invite_evaluation(
        Invitation("VISIT", "ZH-A002", "OFFLINE", "a-1", "W01", "s009", ""), "s009"
    )
    assert since.evaluation.staff_badge == "S009"
    for evaluation_id in (before.id, since.id):
        evaluations.submit_rating(evaluation_id, Rating("SATISFIED", {"OVERALL": 4}), "a-1")
    project()
    admin = token(Role.HALL_ADMIN, hall, "admin-1")
    one_row = [{"key": "S009", "month": DAY[:7], "invited": 2, "rated": 2, "rank": 1}]
    for key in (None, "s009", "S009"):
        rows = edges(data(gql(STATS, {"key": key}, token=admin), "evaluationStatistics"))
        assert rows == one_row, key
