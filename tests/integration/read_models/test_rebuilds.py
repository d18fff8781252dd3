"""The four read models are rebuildable: after a hall's cases, complaints, ratings and
rectifications (an erasure and recorded misses included), each equals one rebuilt from
position 0 (the runtime's ``Rebuild.check``, for this hall)."""

from __future__ import annotations

import pytest

from projections.cases import CaseRegisterProjection
from projections.complaints import ComplaintRegisterProjection
from projections.evaluations import EvaluationRatingsProjection
from projections.rectifications import RectificationLedgerProjection
from projections.runtime import Projection, Rebuild
from services.cases import Applicant, CaseRequest, CaseService
from services.complaints import ComplaintService
from services.complaints.application import ComplaintDetails
from services.evaluations import EvaluationService, Invitation, Rating
from services.privacy import PrivacyService
from services.rectifications import RectificationService
from tests.integration.read_models.conftest import ITEM, moment


def _cases(app_at, hall: str) -> None:
    for n, applicant in enumerate(["r-1", "r-2", "r-1"]):
        app = app_at(CaseService, hall, moment(f"2026-09-2{n + 1}"))
        person = Applicant(applicant, f"申请人{n}", "110101199003070011", "13800000000")
        case = app.request_case(CaseRequest("FULL_AGENCY", ITEM, "设立", "ONLINE", person), "x")
        app.accept_case(case.id, "S001", "agent-1")
        app.check_materials(case.id, ["身份证"], "agent-1")
        if n == 1:
            app.issue_notice(case.id, ["授权委托书", "营业执照"], "", "agent-1")
            later = app_at(CaseService, hall, moment("2026-09-30"))
            later.supplement_materials(case.id, ["授权委托书"], "agent-1")


def _complaints(app_at, hall: str) -> None:
    app = app_at(ComplaintService, hall, moment("2026-09-21"))
    for applicant in ("r-1", ""):
        details = ComplaintDetails(
            channel="ONLINE",
            facts="等候太久",
            anonymous=not applicant,
            applicant_id=applicant,
            complainant_name="申请人" if applicant else "",
            respondent_window="W01",
        )
        complaint = app.receive_complaint(details, applicant or "staff-1")
        app.accept_complaint(complaint.id, "INTERVENTION", "admin-1")
        app.extend_complaint_deadline(complaint.id, 3, "协调部门", "admin-1")
        app.investigate_complaint(complaint.id, "PARTLY_SUBSTANTIATED", "部分属实", "sup-1")


def _ratings(app_at, hall: str) -> None:
    for n, level in enumerate(["VERY_SATISFIED", "VERY_DISSATISFIED", "BASIC"]):
        app = app_at(EvaluationService, hall, moment(f"2026-09-2{n + 1}"))
        invitation = Invitation("MATTER", f"M{n}", "ONLINE", "r-1", "W01", "S001", ITEM)
        evaluation = app.invite_evaluation(invitation, "S001")
        app.submit_rating(evaluation.id, Rating(level, {"OVERALL": 3}, "留言"), "r-1")
    app_at(RectificationService, hall, moment("2026-09-30")).mark_overdue()


@pytest.mark.parametrize(
    "projection",
    [
        CaseRegisterProjection(),
        ComplaintRegisterProjection(),
        EvaluationRatingsProjection(),
        RectificationLedgerProjection(),
    ],
    ids=lambda p: p.name,
)
def test_a_read_model_equals_its_rebuild(
    projection: Projection, hall, app_at, project, platform, database_url
):
    _cases(app_at, hall)
    project()  # the names are in the register before the erasure
    _complaints(app_at, hall)
    _ratings(app_at, hall)
    platform.hall_app(PrivacyService, hall).erase_personal_data("r-1", "请求删除", "admin-1")
    project()
    report = Rebuild(database_url, platform.worker_pool, projection, tenant=hall).check()
    assert report.halls_compared == [hall], report
    assert report.identical, [d.samples for d in report.differences]
    assert report.events > 0
