"""The registers, the catalog and the deadlines are rebuildable: after a hall's cases,
complaints, ratings, rectifications and catalog changes (an erasure and recorded misses
included), each equals one rebuilt from position 0 (the runtime's ``Rebuild.check``, for this
hall), event by event and in one batch."""

from __future__ import annotations

import pytest

from projections.cases import CaseRegisterProjection
from projections.catalog import CatalogProjection, list_items
from projections.complaints import ComplaintRegisterProjection
from projections.evaluations import EvaluationRatingsProjection
from projections.platform import DeadlinesProjection
from projections.rectifications import RectificationLedgerProjection
from projections.runtime import Projection, Rebuild
from services.cases import Applicant, CaseRequest, CaseService
from services.catalog import CatalogService
from services.catalog.application import ItemTerms
from services.complaints import ComplaintService
from services.complaints.application import ComplaintDetails
from services.evaluations import EvaluationService, Invitation, Rating
from services.evaluations.policies import rectification_id_for
from services.privacy import PrivacyService
from services.rectifications import RectificationService
from tests.integration.read_models.conftest import ITEM, moment, serving


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
        app.dispose_complaint(complaint.id, ["协调办理"], "sup-1")
        later = app_at(ComplaintService, hall, moment("2026-09-28"))
        later.reply_to_complaint(complaint.id, "已办理", "sup-1")  # its reply day is kept
        if not applicant:  # a reopening clears it
            later.reopen_complaint(complaint.id, "复查", "sup-1")


def _ratings(app_at, hall: str) -> None:
    serving(app_at, hall, "2026-09-21", "W01", "S001")
    levels = ["VERY_SATISFIED", "VERY_DISSATISFIED", "BASIC", "DISSATISFIED", "DISSATISFIED"]
    for n, level in enumerate(levels):
        app = app_at(EvaluationService, hall, moment(f"2026-09-2{n + 1}"))
        invitation = Invitation("MATTER", f"M{n}", "ONLINE", "r-1", "W01", "S001", ITEM)
        evaluation = app.invite_evaluation(invitation, "S001")
        app.submit_rating(evaluation.id, Rating(level, {"OVERALL": 3}, "留言"), "r-1")
    # 补发评价码: anonymous M5's code is reissued (then rated with it), M6's is left open
    app = app_at(EvaluationService, hall, moment("2026-09-26"))
    codes = {}
    for ref in ("M5", "M6"):
        invited = app.invite_evaluation(Invitation("MATTER", ref, "ONLINE", "", "W01"), "S001")
        codes[ref] = app.reissue_rating_code(invited.id, "S002").rating_code
    m5 = app.evaluation_id("MATTER", "M5")
    app.submit_rating(m5, Rating("SATISFIED", {"OVERALL": 4}), "r-5", rating_code=codes["M5"])
    app_at(RectificationService, hall, moment("2026-09-30")).mark_overdue()
    # M3's and M4's ratings are excluded on appeal after their calls were recorded missed:
    # M3's rectification is withdrawn from the ledger, M4's (its work done) stays
    app = app_at(EvaluationService, hall, moment("2026-10-09"))
    m3, m4 = app.evaluation_id("MATTER", "M3"), app.evaluation_id("MATTER", "M4")
    steps = app_at(RectificationService, hall, moment("2026-10-08"))
    for evaluation_id in (m3, m4):
        rectification_id = rectification_id_for(app.get_evaluation(evaluation_id))
        steps.record_verification_call(rectification_id, True, "已联系", "S001")
    steps.enter_ledger(rectification_id_for(app.get_evaluation(m3)), ["整改"], "S001")
    steps.explain(rectification_id_for(app.get_evaluation(m4)), "已解释", "S001")
    for evaluation_id in (m3, m4):
        app.appeal_rating(evaluation_id, "MALICIOUS", "与服务无关", "S001")
        app.exclude_rating(evaluation_id, "恶意差评", "sup-1")


def _catalog(app_at, hall: str) -> None:
    app = app_at(CatalogService, hall, moment("2026-09-21"))
    for code in ("IT-2", "IT-3"):
        app.publish_service_item(code, ItemTerms(name="代办", category="ASSISTANCE"), "admin-1")
        app.revise_service_item(code, ItemTerms(name="代办（新）", category="ASSISTANCE"), "a")
    app.withdraw_service_item("IT-2", "停办", "admin-1")


@pytest.mark.parametrize("batch_size", [1, 5_000])
@pytest.mark.parametrize(
    "projection",
    [
        CaseRegisterProjection(),
        ComplaintRegisterProjection(),
        EvaluationRatingsProjection(),
        RectificationLedgerProjection(),
        CatalogProjection(),
        DeadlinesProjection(),
    ],
    ids=lambda p: p.name,
)
def test_a_read_model_equals_its_rebuild(
    projection: Projection, batch_size: int, hall, app_at, project, platform, database_url
):
    """Rebuilt event by event (``batch_size`` 1: every change lands on a row an earlier
    batch wrote) and in one batch (changes merged in memory): the same rows as live."""
    _cases(app_at, hall)
    _catalog(app_at, hall)
    project()  # the names are in the register before the erasure
    _complaints(app_at, hall)
    _ratings(app_at, hall)
    app_at(CatalogService, hall, moment("2026-09-30")).revise_service_item(
        "IT-3", ItemTerms(name="代办（再改）", category="ASSISTANCE"), "admin-1"
    )
    platform.hall_app(PrivacyService, hall).erase_personal_data("r-1", "请求删除", "admin-1")
    project()
    pool = platform.worker_pool
    report = Rebuild(database_url, pool, projection, tenant=hall, batch_size=batch_size).check()
    assert report.halls_compared == [hall], report
    assert report.identical, [d.samples for d in report.differences]
    assert report.events > 0


def test_the_catalog_keeps_each_item_as_its_last_event_left_it(hall, app_at, project, platform):
    _catalog(app_at, hall)
    project()
    app_at(CatalogService, hall, moment("2026-09-30")).revise_service_item(
        "IT-3", ItemTerms(name="代办（再改）", category="ASSISTANCE", fee_cents=500), "admin-1"
    )
    project()
    items = {i.code: i for i in list_items(platform.app_pool, hall, include_withdrawn=True)}
    assert (items["IT-2"].status, items["IT-2"].revision, items["IT-2"].name) == (
        "WITHDRAWN",
        2,
        "代办（新）",
    )
    assert (items["IT-3"].status, items["IT-3"].revision, items["IT-3"].name) == (
        "PUBLISHED",
        3,
        "代办（再改）",
    )
    assert items["IT-3"].fee_cents == 500
    assert items["IT-3"].published_at < items["IT-3"].updated_at
