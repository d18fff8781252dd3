"""Complaints, 好差评 and rectifications through GraphQL over real HTTP, on PostgreSQL.

A complaint goes from registration to archive; a bad rating opens its rectification in the
same commit, which is verified, put on the ledger, completed, fed back and reviewed; an
inspection finding opens one too. Every stored event validates against its contract.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from contracts import to_payload, validate_payload
from gateway.auth import Role
from services.complaints import ComplaintService
from services.shared.working_days import WorkingDayCalendar, local_date

REGISTER = """mutation($id: String!) {
  registerHall(input: {hallId: $id, name: "测试大厅", region: "江苏省苏州市"}) { hallId }
}"""
COMPLAINT_FIELDS = """id status complaintClass dueOn finding handlingRound replied repliedOnTime
  satisfied rectificationId"""
RECTIFICATION_FIELDS = """id source sourceId status disposition verificationDueOn dueOn
  handlingRound overdue"""


def _codes(response) -> list[str]:
    return [e["extensions"]["code"] for e in response.json().get("errors") or []]


def _data(response, field: str):
    body = response.json()
    assert "errors" not in body, response.text
    return body["data"][field]


def _due(working_days: int) -> set[str]:
    """The due date as the server may have computed it, from a moment up to a minute ago (a
    midnight in Beijing may fall between that moment and now)."""
    calendar, now = WorkingDayCalendar(), datetime.now(UTC)
    return {
        calendar.add_working_days(local_date(moment), working_days).isoformat()
        for moment in (now - timedelta(minutes=1), now)
    }


@pytest.fixture
def hall(gql, token, tenant_id):
    _data(gql(REGISTER, {"id": tenant_id}, token=token(Role.PLATFORM_OPERATOR)), "registerHall")
    return tenant_id


@pytest.fixture
def as_(token, hall):
    """``as_(role, subject)``: a token of the hall for that role."""
    return lambda role, subject="u-test": token(role, hall, subject=subject)


def _positions(platform, hall) -> int:
    return platform.store.recorder(hall).max_notification_id() or 0


def test_a_complaint_from_registration_to_archive(gql, as_, hall, platform):
    applicant, admin, staff = (
        as_(Role.APPLICANT, "a-1"),
        as_(Role.HALL_ADMIN, "admin-1"),
        as_(Role.STAFF, "S009"),
    )
    receive = """mutation {
      receiveComplaint(input: {channel: IN_PERSON, facts: "窗口人员态度生硬",
        complainantName: "张三", complainantPhone: "13800000000", respondentWindow: "W01",
        respondentBadge: "S001", evidence: ["file:recording-1"]}) { FIELDS }
    }""".replace("FIELDS", COMPLAINT_FIELDS)
    c = _data(gql(receive, token=applicant), "receiveComplaint")
    assert (c["status"], c["dueOn"], c["replied"]) == ("RECEIVED", None, False)
    cid = c["id"]

    def run(mutation: str, tok: str, **variables):
        return gql(
            mutation.replace("FIELDS", COMPLAINT_FIELDS), {"id": cid, **variables}, token=tok
        )

    # an applicant may not accept; archiving before any reply is refused; nothing recorded
    before = _positions(platform, hall)
    accept = "mutation($id: ID!) { acceptComplaint(id: $id, complaintClass: REFERRED) { FIELDS } }"
    assert _codes(run(accept, applicant)) == ["FORBIDDEN"]
    archive = "mutation($id: ID!) { archiveComplaint(id: $id) { FIELDS } }"
    assert _codes(run(archive, admin)) == ["CONFLICT"]
    assert _positions(platform, hall) == before

    c = _data(run(accept, admin), "acceptComplaint")
    assert c["status"] == "ACCEPTED"
    assert c["dueOn"] in _due(5)
    assign = 'mutation($id: ID!) { assignComplaint(id: $id, assignee: "S009") { FIELDS } }'
    assert _data(run(assign, admin), "assignComplaint")["status"] == "ASSIGNED"
    investigate = """mutation($id: ID!) {
      investigateComplaint(id: $id, finding: SUBSTANTIATED, summary: "录像证实") { FIELDS } }"""
    c = _data(run(investigate, staff), "investigateComplaint")
    assert (c["status"], c["finding"]) == ("INVESTIGATED", "SUBSTANTIATED")
    assert c["rectificationId"]
    dispose = 'mutation($id: ID!) { disposeComplaint(id: $id, measures: ["批评教育"]) { FIELDS } }'
    assert _data(run(dispose, staff), "disposeComplaint")["status"] == "DISPOSED"
    reply = (
        'mutation($id: ID!) { replyToComplaint(id: $id, content: "投诉属实，已处理") { FIELDS } }'
    )
    c = _data(run(reply, staff), "replyToComplaint")
    assert (c["status"], c["replied"], c["repliedOnTime"]) == ("REPLIED", True, True)
    follow = "mutation($id: ID!) { followUpComplaint(id: $id, satisfied: true) { FIELDS } }"
    assert _data(run(follow, staff), "followUpComplaint")["satisfied"] is True
    assert _data(run(archive, admin), "archiveComplaint")["status"] == "ARCHIVED"
    assert _codes(run(archive, admin)) == ["CONFLICT"]

    rectification = gql(
        "mutation($id: ID!) { recordVerificationCall(id: $id, contacted: true, notes: "
        '"投诉人确认") { FIELDS } }'.replace("FIELDS", RECTIFICATION_FIELDS),
        {"id": c["rectificationId"]},
        token=staff,
    )
    r = _data(rectification, "recordVerificationCall")
    assert (r["source"], r["sourceId"], r["status"]) == ("COMPLAINT", f"{cid}#1", "VERIFIED")


def test_a_bad_rating_and_its_rectification_through_review(gql, as_, hall, platform):
    applicant, staff, supervisor = (
        as_(Role.APPLICANT, "a-1"),
        as_(Role.STAFF, "S002"),
        as_(Role.SUPERVISOR, "sup-1"),
    )
    _window_and_staff(gql, as_(Role.HALL_ADMIN, "admin-1"))
    invite = """mutation {
      inviteEvaluation(input: {subjectKind: VISIT, subjectRef: "T-20260506-A001",
        channel: OFFLINE, applicantId: "a-1", windowCode: "W01", staffBadge: "S001"}) {
        id status defaultOn } }"""
    e = _data(gql(invite, token=staff), "inviteEvaluation")
    assert e["status"] == "INVITED"
    submit = """mutation($id: ID!, $level: RatingLevel!) {
      submitRating(evaluationId: $id, input: {level: $level, comment: "等太久",
        scores: [{indicator: OVERALL, score: 2}, {indicator: EFFICIENCY, score: 1}]}) {
        id status level excluded rectificationId scores { indicator score } } }"""
    assert _codes(gql(submit, {"id": e["id"], "level": "DISSATISFIED"}, token=staff)) == [
        "FORBIDDEN"
    ]
    other = as_(Role.APPLICANT, "a-2")
    assert _codes(gql(submit, {"id": e["id"], "level": "DISSATISFIED"}, token=other)) == [
        "FORBIDDEN"
    ]
    twice = submit.replace("{indicator: EFFICIENCY, score: 1}", "{indicator: OVERALL, score: 5}")
    before = _positions(platform, hall)
    # an indicator scored twice is refused (not the last score kept), nothing recorded
    assert _codes(gql(twice, {"id": e["id"], "level": "DISSATISFIED"}, token=applicant)) == [
        "VALIDATION"
    ]
    assert _positions(platform, hall) == before
    rated = _data(
        gql(submit, {"id": e["id"], "level": "DISSATISFIED"}, token=applicant), "submitRating"
    )
    assert (rated["status"], rated["level"]) == ("RATED", "DISSATISFIED")
    assert rated["scores"] == [
        {"indicator": "EFFICIENCY", "score": 1},
        {"indicator": "OVERALL", "score": 2},
    ]
    # the rating and its rectification were recorded in one commit
    assert _positions(platform, hall) == before + 2
    names = [
        n.topic.rpartition(":")[2]
        for n in platform.store.recorder(hall).select_notifications(start=before + 1, limit=10)
    ]
    assert names == ["Evaluation.RatingSubmitted", "Rectification.Opened"]
    # 一次一评: rating twice is refused and records nothing
    again = gql(submit, {"id": e["id"], "level": "VERY_SATISFIED"}, token=applicant)
    assert _codes(again) == ["CONFLICT"]
    assert _positions(platform, hall) == before + 2

    rid = rated["rectificationId"]

    def run(mutation: str, tok: str, field: str):
        return _data(
            gql(mutation.replace("FIELDS", RECTIFICATION_FIELDS), {"id": rid}, token=tok), field
        )

    r = run(
        'mutation($id: ID!) { recordVerificationCall(id: $id, contacted: true, notes: "已核实") '
        "{ FIELDS } }",
        staff,
        "recordVerificationCall",
    )
    assert (r["source"], r["status"], r["verificationDueOn"]) == (
        "BAD_RATING",
        "VERIFIED",
        r["verificationDueOn"],
    )
    assert r["verificationDueOn"] in _due(1)
    r = run(
        'mutation($id: ID!) { enterRectificationLedger(id: $id, plan: ["增加高峰时段窗口"]) '
        "{ FIELDS } }",
        staff,
        "enterRectificationLedger",
    )
    assert (r["status"], r["disposition"], r["overdue"]) == ("IN_PROGRESS", "LEDGER", False)
    assert r["dueOn"] in _due(5)
    r = run(
        'mutation($id: ID!) { completeRectification(id: $id, measures: ["已增开窗口"]) '
        "{ FIELDS } }",
        staff,
        "completeRectification",
    )
    assert r["status"] == "COMPLETED"
    feed_back = (
        'mutation($id: ID!) { feedBackRectification(id: $id, method: PHONE, content: "已整改") '
        "{ FIELDS } }"
    )
    assert run(feed_back, staff, "feedBackRectification")["status"] == "FED_BACK"
    review = 'mutation($id: ID!) { passRectificationReview(id: $id, note: "整改到位") { FIELDS } }'
    assert _codes(
        gql(review.replace("FIELDS", RECTIFICATION_FIELDS), {"id": rid}, token=staff)
    ) == ["FORBIDDEN"]
    r = run(
        'mutation($id: ID!) { reopenRectification(id: $id, reason: "反馈不充分") { FIELDS } }',
        supervisor,
        "reopenRectification",
    )
    assert (r["status"], r["handlingRound"]) == ("VERIFIED", 2)
    run(
        'mutation($id: ID!) { fixRectificationAtOnce(id: $id, measures: ["书面致歉"]) { FIELDS } }',
        staff,
        "fixRectificationAtOnce",
    )
    run(feed_back, staff, "feedBackRectification")
    assert run(review, supervisor, "passRectificationReview")["status"] == "CLOSED"
    mark = "mutation { markOverdueRectifications }"
    assert _data(gql(mark, token=as_(Role.HALL_ADMIN)), "markOverdueRectifications") == 0

    # the appeal of the rating is upheld: excluded, but kept
    appeal = """mutation($id: ID!) { appealRating(evaluationId: $id, reason: MISTAKEN,
      explanation: "评错窗口") { excluded } }"""
    _data(gql(appeal, {"id": e["id"]}, token=staff), "appealRating")
    exclude = """mutation($id: ID!) { excludeRating(evaluationId: $id, note: "核实为误评") {
      level excluded } }"""
    assert _data(gql(exclude, {"id": e["id"]}, token=supervisor), "excludeRating") == {
        "level": "DISSATISFIED",
        "excluded": True,
    }


def test_a_walk_in_visit_is_rated_only_with_its_one_time_rating_code(gql, as_, hall, platform):
    """A kiosk ticket names no applicant: the invitation returns a rating code (评价码) once,
    and only a rating with that code counts, once; strangers' ratings record nothing."""
    staff = as_(Role.STAFF, "S002")
    _window_and_staff(gql, as_(Role.HALL_ADMIN, "admin-1"))
    invite = """mutation($ref: String!, $applicant: String! = "") {
      inviteEvaluation(input: {subjectKind: VISIT, subjectRef: $ref, channel: OFFLINE,
        applicantId: $applicant, windowCode: "W01", staffBadge: "S001"}) {
        id status ratingCode } }"""
    e = _data(gql(invite, {"ref": "ZH-20260506-A007"}, token=staff), "inviteEvaluation")
    code = e["ratingCode"]
    assert e["status"] == "INVITED"
    assert isinstance(code, str)
    assert len(code) == 16
    named = gql(invite, {"ref": "ZH-20260506-A008", "applicant": "a-1"}, token=staff)
    assert _data(named, "inviteEvaluation")["ratingCode"] is None

    submit = """mutation($id: ID!, $code: String) {
      submitRating(evaluationId: $id, ratingCode: $code, input: {level: VERY_DISSATISFIED,
        scores: [{indicator: ATTITUDE, score: 1}]}) {
        status level rectificationId ratingCode } }"""
    stranger = as_(Role.APPLICANT, "some-stranger")
    before = _positions(platform, hall)
    assert _codes(gql(submit, {"id": e["id"]}, token=stranger)) == ["FORBIDDEN"]
    wrong = {"id": e["id"], "code": "A" * 16}
    assert _codes(gql(submit, wrong, token=stranger)) == ["FORBIDDEN"]
    assert _positions(platform, hall) == before

    holder = as_(Role.APPLICANT, "a-walk-in")
    rated = _data(gql(submit, {"id": e["id"], "code": code}, token=holder), "submitRating")
    assert (rated["status"], rated["level"], rated["ratingCode"]) == (
        "RATED",
        "VERY_DISSATISFIED",
        None,
    )
    assert rated["rectificationId"]
    assert _positions(platform, hall) == before + 2
    # once: the code does not rate again, for the holder or anybody else
    for tok in (holder, stranger):
        again = gql(submit, {"id": e["id"], "code": code}, token=tok)
        assert _codes(again) == ["CONFLICT"]
    assert _positions(platform, hall) == before + 2
    # only the code's hash is stored
    stored = platform.store.recorder(hall).select_notifications(start=1, limit=1000)
    assert stored
    assert all(code.encode() not in n.state for n in stored)


def _window_and_staff(gql, admin: str, window: str = "W01", badge: str = "S001") -> None:
    """Configure ``window`` and onboard ``badge`` unless the hall has them already (the
    one-day test runs these steps in a hall set up for queueing): invitations and
    supervision point only at the hall's."""
    configure = """mutation($code: String!) { configureWindow(input: {code: $code,
      name: "综合窗口", windowType: COMPREHENSIVE}) { code } }"""
    assert _codes(gql(configure, {"code": window}, token=admin)) in ([], ["CONFLICT"])
    onboard = """mutation($badge: String!) { onboardStaff(input: {badgeNumber: $badge,
      name: "王芳", role: WINDOW_STAFF}) { badgeNumber } }"""
    assert _codes(gql(onboard, {"badge": badge}, token=admin)) in ([], ["CONFLICT"])


def test_an_inspection_finding_opens_a_rectification(gql, as_, hall):
    supervisor = as_(Role.SUPERVISOR, "sup-1")
    _window_and_staff(gql, as_(Role.HALL_ADMIN, "admin-1"))
    today = local_date(datetime.now(UTC)).isoformat()
    record = """mutation($day: Date!) { recordInspection(input: {kind: UNANNOUNCED,
      inspectedOn: $day, inspectors: ["sup-1"], windowCodes: ["W01"]}) { id kind closed } }"""
    assert _codes(gql(record, {"day": today}, token=as_(Role.APPLICANT))) == ["FORBIDDEN"]
    i = _data(gql(record, {"day": today}, token=supervisor), "recordInspection")
    finding = """mutation($id: ID!) { recordInspectionFinding(inspectionId: $id,
      input: {category: DISCIPLINE, description: "W01 窗口脱岗", windowCode: "W01",
        staffBadge: "S001"}) { findings rectificationsRequired } }"""
    assert _data(gql(finding, {"id": i["id"]}, token=supervisor), "recordInspectionFinding") == {
        "findings": 1,
        "rectificationsRequired": 1,
    }
    assert _codes(gql(finding, {"id": "not-an-id"}, token=supervisor)) == ["NOT_FOUND"]


def test_supervision_of_a_badge_or_window_the_hall_does_not_have_is_not_found(
    gql, as_, hall, platform
):
    supervisor = as_(Role.SUPERVISOR, "sup-1")
    _window_and_staff(gql, as_(Role.HALL_ADMIN, "admin-1"))
    day = local_date(datetime.now(UTC))
    today = day.isoformat()
    # interviews: not in the past for the server either, if a Beijing midnight comes first
    tomorrow = (day + timedelta(days=1)).isoformat()
    violation = """mutation($badge: String!, $day: Date!) { recordConductViolation(input: {
      staffBadge: $badge, category: DISCIPLINE, description: "脱岗", occurredOn: $day,
      points: 5}) { staffBadge } }"""
    interview = """mutation($kind: IntervieweeKind!, $who: String!, $day: Date!) {
      scheduleInterview(input: {intervieweeKind: $kind, interviewee: $who, reason: "约谈",
        scheduledOn: $day}) { interviewee } }"""
    before = _positions(platform, hall)
    assert _codes(gql(violation, {"badge": "S404", "day": today}, token=supervisor)) == [
        "NOT_FOUND"
    ]
    for kind, who in [("STAFF", "S404"), ("WINDOW", "W404")]:
        refused = gql(interview, {"kind": kind, "who": who, "day": tomorrow}, token=supervisor)
        assert _codes(refused) == ["NOT_FOUND"]
    assert _positions(platform, hall) == before
    recorded = gql(violation, {"badge": "S001", "day": today}, token=supervisor)
    assert _data(recorded, "recordConductViolation") == {"staffBadge": "S001"}


def test_a_window_ranked_last_two_months_running_is_called_to_an_interview(gql, as_, hall):
    supervisor = as_(Role.SUPERVISOR, "sup-1")
    admin = as_(Role.HALL_ADMIN, "admin-1")
    _window_and_staff(gql, admin, "W01", "S001")
    _window_and_staff(gql, admin, "W02", "S002")
    open_ = """mutation($period: String!) { openAssessment(period: $period, scope: WINDOW,
      criteria: "好评率") { id } }"""
    score = """mutation($id: ID!, $subject: String!, $score: Float!) {
      recordAssessmentScore(assessmentId: $id, subject: $subject, score: $score) { id } }"""
    publish = """mutation($id: ID!) { publishRanking(assessmentId: $id) {
      ranking { subject rank } interviews { intervieweeKind interviewee reason status } } }"""
    published = []
    for period in ("2026-08", "2026-09"):
        a = _data(gql(open_, {"period": period}, token=supervisor), "openAssessment")
        for subject, points in [("W01", 99.0), ("W02", 80.0)]:
            variables = {"id": a["id"], "subject": subject, "score": points}
            _data(gql(score, variables, token=supervisor), "recordAssessmentScore")
        published.append(_data(gql(publish, {"id": a["id"]}, token=supervisor), "publishRanking"))
    assert published[0]["interviews"] == []
    assert published[1] == {
        "ranking": [{"subject": "W01", "rank": 1}, {"subject": "W02", "rank": 2}],
        "interviews": [
            {
                "intervieweeKind": "WINDOW",
                "interviewee": "W02",
                "reason": "连续两个月排名末位：2026-08 第2名（共2个窗口），"
                "2026-09 第2名（共2个窗口）",
                "status": "SCHEDULED",
            }
        ],
    }


def test_only_a_published_rated_item_is_invited_to_be_rated(gql, as_, hall, platform):
    admin, staff = as_(Role.HALL_ADMIN, "admin-1"), as_(Role.STAFF, "S002")
    publish = """mutation($code: String!, $rated: Boolean!) { publishServiceItem(input: {
      code: $code, name: "免费热线咨询", category: HOTLINE_CONSULTATION, rated: $rated}) {
      code rated } }"""
    for code, rated in [("HOT-1", False), ("RX-1", True), ("RX-2", True)]:
        item = _data(
            gql(publish, {"code": code, "rated": rated}, token=admin), "publishServiceItem"
        )
        assert item == {"code": code, "rated": rated}
    withdraw = 'mutation { withdrawServiceItem(code: "RX-2", reason: "停办") { code } }'
    _data(gql(withdraw, token=admin), "withdrawServiceItem")
    invite = """mutation($ref: String!, $item: String!) {
      inviteEvaluation(input: {subjectKind: MATTER, subjectRef: $ref, channel: ONLINE,
        applicantId: "a-1", itemCode: $item}) { status itemCode } }"""
    before = _positions(platform, hall)
    for ref, item, code in [
        ("M-1", "HOT-1", "VALIDATION"),  # published as not rated
        ("M-2", "NO-SUCH-ITEM", "VALIDATION"),
        ("M-3", "RX-2", "CONFLICT"),  # withdrawn
    ]:
        assert _codes(gql(invite, {"ref": ref, "item": item}, token=staff)) == [code]
    assert _positions(platform, hall) == before
    invited = _data(gql(invite, {"ref": "M-4", "item": "RX-1"}, token=staff), "inviteEvaluation")
    assert invited == {"status": "INVITED", "itemCode": "RX-1"}


def test_an_invitation_naming_a_window_or_badge_the_hall_does_not_have_is_not_found(
    gql, as_, hall, platform
):
    """Only the hall's window and staff are rated: a window never configured or a badge never
    onboarded is NOT_FOUND and records nothing (an offboarded member: the unit tests)."""
    admin, staff = as_(Role.HALL_ADMIN, "admin-1"), as_(Role.STAFF, "S002")
    _window_and_staff(gql, admin)
    _window_and_staff(gql, admin, window="W02", badge="S002")
    invite = """mutation($ref: String!, $window: String!, $badge: String!) {
      inviteEvaluation(input: {subjectKind: VISIT, subjectRef: $ref, channel: OFFLINE,
        applicantId: "a-1", windowCode: $window, staffBadge: $badge}) {
        status windowCode staffBadge } }"""
    before = _positions(platform, hall)
    for window, badge, code in [
        ("W404", "S001", "NOT_FOUND"),  # never configured
        ("W01", "S404", "NOT_FOUND"),  # never onboarded
        ("W 1", "S001", "VALIDATION"),  # malformed
    ]:
        refused = gql(invite, {"ref": "T-1", "window": window, "badge": badge}, token=staff)
        assert _codes(refused) == [code]
    assert _positions(platform, hall) == before
    invited = gql(invite, {"ref": "T-1", "window": "W02", "badge": "S001"}, token=staff)
    assert _data(invited, "inviteEvaluation") == {
        "status": "INVITED",
        "windowCode": "W02",
        "staffBadge": "S001",
    }


def test_every_stored_event_validates_against_its_contract(gql, as_, hall, platform):
    receive = """mutation { receiveComplaint(input: {channel: ONLINE, facts: "无人引导",
      anonymous: true}) { id } }"""
    cid = _data(gql(receive, token=as_(Role.STAFF)), "receiveComplaint")["id"]
    reject = """mutation($id: ID!) { rejectComplaint(id: $id, reason: NO_CLEAR_RESPONDENT,
      explanation: "无明确被投诉对象") { status } }"""
    assert _data(gql(reject, {"id": cid}, token=as_(Role.HALL_ADMIN)), "rejectComplaint") == {
        "status": "REJECTED"
    }
    mapper = platform.hall_app(ComplaintService, hall).mapper
    notifications = platform.store.recorder(hall).select_notifications(start=1, limit=100)
    for notification in notifications:
        event_type, payload = to_payload(mapper.to_domain_event(notification))
        validate_payload(event_type, payload)
    assert len(notifications) == 3


def test_an_anonymous_complaint_names_nobody_to_the_respondent_or_in_the_log(
    gql, as_, hall, platform, project
):
    receive = """mutation { receiveComplaint(input: {channel: ONLINE, facts: "态度差",
      anonymous: true, respondentWindow: "W01", respondentBadge: "S001"}) { id } }"""
    cid = _data(gql(receive, token=as_(Role.APPLICANT, "citizen-7")), "receiveComplaint")["id"]
    project()
    register = """{ complaints { edges { node { complaintId anonymous applicantId
      respondentBadge } } } }"""
    rows = _data(gql(register, token=as_(Role.STAFF, "S001")), "complaints")["edges"]
    assert [r["node"] for r in rows] == [
        {"complaintId": cid, "anonymous": True, "applicantId": "", "respondentBadge": "S001"}
    ]
    (stored,) = platform.store.recorder(hall).select_notifications(start=1, limit=100)[-1:]
    event = platform.hall_app(ComplaintService, hall).mapper.to_domain_event(stored)
    assert (event.applicant_id, event.actor) == ("", "anonymous")
    # Staff cannot name an applicant for an anonymous complaint either.
    named = """mutation { receiveComplaint(input: {channel: LETTER, facts: "来信",
      anonymous: true, applicantId: "citizen-7"}) { id } }"""
    assert _codes(gql(named, token=as_(Role.STAFF, "S009"))) == ["VALIDATION"]
