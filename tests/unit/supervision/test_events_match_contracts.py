"""Every supervision event validates against its published contract."""

from __future__ import annotations

from datetime import date

from contracts import to_payload, validate_payload
from services.rectifications import Rectification
from services.supervision import FindingDetails, InterviewDetails, ViolationDetails


def test_stored_supervision_events_match_their_contracts(supervision, rectifications):
    today = date(2026, 9, 30)
    i = supervision.record_inspection("UNANNOUNCED", today, ["W01"], ["sup-1"], "sup-1")
    finding = FindingDetails("CONDUCT", "脱岗", "W01", "S001", True)
    supervision.record_inspection_finding(i.id, finding, "sup-1")
    supervision.close_inspection(i.id, "1 项", "sup-1")
    rid = Rectification.create_id("h1", "INSPECTION", f"{i.id}#1")
    rectifications.record_verification_call(rid, True, "已核实", "admin")
    rectifications.fix_at_once(rid, ["当场纠正"], "admin")
    v = supervision.record_conduct_violation(
        ViolationDetails("S001", "DISCIPLINE", "脱岗", today, 3, i.id), "sup-1"
    )
    supervision.dismiss_conduct_violation(v.id, "误记", "sup-1")
    a = supervision.open_assessment("2026-09", "STAFF", "", "sup-1")
    supervision.record_assessment_score(a.id, "S001", 88, "", "sup-1")
    supervision.record_assessment_score(a.id, "S002", 91.5, "", "sup-1")
    supervision.publish_ranking(a.id, "sup-1")
    n = supervision.schedule_interview(
        InterviewDetails("STAFF", "S001", "违规", today, str(v.id)), "sup-1"
    )
    supervision.hold_interview(n.id, "已约谈", ["改正"], "sup-1")
    m = supervision.schedule_interview(InterviewDetails("WINDOW", "W01", "x", today), "sup-1")
    supervision.cancel_interview(m.id, "取消", "sup-1")
    x = supervision.open_improvement_action("培训", "INTERVIEW", str(n.id), "admin", 3, "sup-1")
    supervision.complete_improvement_action(x.id, "已培训", "admin")
    for period in ("2026-08", "2026-09"):  # W02 last twice: an interview called by the rule
        w = supervision.open_assessment(period, "WINDOW", "", "sup-1")
        supervision.record_assessment_score(w.id, "W01", 99, "", "sup-1")
        supervision.record_assessment_score(w.id, "W02", 60, "", "sup-1")
        supervision.publish_ranking(w.id, "sup-1")
    assert [i.interviewee for i in supervision.ranking_interviews(w.id)] == ["W02"]
    names = set()
    app = supervision
    for notification in app.recorder.select_notifications(start=1, limit=10_000):
        event_type, payload = to_payload(app.mapper.to_domain_event(notification))
        validate_payload(event_type, payload)
        names.add(event_type.name)
    assert {name for name in names if name.startswith("supervision.")} == {
        "supervision.InspectionRecorded",
        "supervision.InspectionFindingRecorded",
        "supervision.InspectionClosed",
        "supervision.ConductViolationRecorded",
        "supervision.ConductViolationDismissed",
        "supervision.AssessmentOpened",
        "supervision.AssessmentScoreRecorded",
        "supervision.AssessmentRankingPublished",
        "supervision.InterviewScheduled",
        "supervision.InterviewHeld",
        "supervision.InterviewCancelled",
        "supervision.ImprovementActionOpened",
        "supervision.ImprovementActionCompleted",
        "supervision.WindowRankingSeriesStarted",
        "supervision.WindowRankingMonthRecorded",
    }
    assert {
        "rectifications.RectificationOpened",
        "rectifications.RectificationVerificationCalled",
        "rectifications.RectificationFixedAtOnce",
    } <= names
