"""Every event of ratings and rectifications validates against its published contract."""

from __future__ import annotations

from contracts import to_payload, validate_payload
from services.evaluations import Invitation, Rating
from services.evaluations.policies import rectification_id_for


def _validate_log(app) -> set[str]:
    names = set()
    for notification in app.recorder.select_notifications(start=1, limit=10_000):
        event_type, payload = to_payload(app.mapper.to_domain_event(notification))
        validate_payload(event_type, payload)
        names.add(event_type.name)
    return names


def test_stored_rating_and_rectification_events_match_their_contracts(
    evaluations, rectifications, clock
):
    visit = Invitation("VISIT", "T-1", "OFFLINE", "a-1", "W01", "S001", "BDB-001")
    e = evaluations.invite_evaluation(visit, "S001")
    bad = Rating("VERY_DISSATISFIED", {"OVERALL": 1, "ATTITUDE": 1}, "态度差", voluntary=False)
    evaluations.submit_rating(e.id, bad, "a-1")
    evaluations.append_rating(e.id, "后续已道歉", "a-1")
    evaluations.appeal_rating(e.id, "MISTAKEN", "评错窗口", "S001")
    evaluations.reject_rating_appeal(e.id, "评价属实", "sup-1")
    f = evaluations.invite_evaluation(Invitation("MATTER", "M-1", "ONLINE"), "system")
    good = Rating("SATISFIED", {"EASE_OF_USE": 4})
    evaluations.submit_rating(f.id, good, "a-2", rating_code=f.rating_code)
    evaluations.appeal_rating(f.id, "MALICIOUS", "与服务无关", "S001")
    evaluations.exclude_rating(f.id, "恶意", "sup-1")
    lost = evaluations.invite_evaluation(Invitation("VISIT", "T-2", "OFFLINE"), "S001")
    evaluations.reissue_rating_code(lost.id, "S002")  # 补发评价码
    g = evaluations.invite_evaluation(Invitation("MATTER", "M-2", "ONLINE", "a-3"), "system")
    evaluations.submit_rating(g.id, Rating("DISSATISFIED", {}), "a-3")
    evaluations.appeal_rating(g.id, "MALICIOUS", "与服务无关", "S001")
    evaluations.exclude_rating(g.id, "恶意差评", "sup-1")  # withdraws its rectification

    rid = rectification_id_for(evaluations.get_evaluation(e.id))
    rectifications.record_verification_call(rid, True, "评价人确认", "S002")
    rectifications.enter_ledger(rid, ["培训"], "S002")
    clock.set(2026, 6, 30)
    rectifications.mark_overdue()
    rectifications.complete(rid, ["已培训"], "S002")
    rectifications.feed_back(rid, "PHONE", "已整改", "S002")
    rectifications.reopen(rid, "不到位", "sup-1")
    rectifications.explain(rid, "已解释", "S002")
    rectifications.feed_back(rid, "SMS", "已解释", "S002")
    rectifications.pass_review(rid, "", "sup-1")
    evaluations.apply_default_ratings()
    names = _validate_log(evaluations)
    assert names == {
        "halls.HallRegistered",
        "catalog.ServiceItemPublished",
        "places.WindowConfigured",
        "staff.StaffOnboarded",
        "evaluations.EvaluationInvited",
        "evaluations.RatingSubmitted",
        "evaluations.RatingAppended",
        "evaluations.RatingAppealed",
        "evaluations.RatingAppealRejected",
        "evaluations.RatingExcluded",
        "evaluations.RatingDefaulted",
        "evaluations.RatingCodeReissued",
        "rectifications.RectificationOpened",
        "rectifications.RectificationVerificationCalled",
        "rectifications.RectificationLedgerEntered",
        "rectifications.RectificationOverdue",
        "rectifications.RectificationCompleted",
        "rectifications.RectificationFedBack",
        "rectifications.RectificationReopened",
        "rectifications.RectificationExplained",
        "rectifications.RectificationReviewPassed",
        "rectifications.RectificationWithdrawn",
    }
