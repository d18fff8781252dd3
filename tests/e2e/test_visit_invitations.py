"""一次一评 through GraphQL over real HTTP, on PostgreSQL: ending a ticket's service invites the
visit to rate in the same commit, and the result hands an anonymous ticket's one-time rating
code (评价码) to the window's evaluator screen (评价器)."""

from __future__ import annotations

from gateway.auth import Role
from tests.e2e import test_queue_day as queue_day
from tests.e2e.test_queue_day import as_, hall, hall_ready  # noqa: F401  (fixtures)

_codes, _data, _issue = queue_day._codes, queue_day._data, queue_day._issue

EVALUATION = """evaluation { id subjectKind subjectRef channel status windowCode staffBadge
  itemCode ratingCode }"""
END = (
    'mutation { endTicketService(queueCode: "ZH", number: NUMBER, outcome: COMPLETED) '
    "{ serviceDay status " + EVALUATION + " } }"
)
RATE = """mutation($id: ID!, $code: String) {
  submitRating(evaluationId: $id, ratingCode: $code,
    input: {level: SATISFIED, scores: [{indicator: OVERALL, score: 5}]}) { status level }
}"""
INVITE = """mutation($ref: String!) { inviteEvaluation(input: {subjectKind: VISIT,
  subjectRef: $ref, channel: OFFLINE, windowCode: "W01"}) { id } }"""


def _serve(gql, s1, number: int) -> None:
    call = 'mutation { callNextTicket(windowCode: "W01") { number } }'
    assert _data(gql(call, token=s1), "callNextTicket")["number"] == number
    start = f'mutation {{ startTicketService(queueCode: "ZH", number: {number}) {{ status }} }}'
    assert _data(gql(start, token=s1), "startTicketService")["status"] == "SERVING"


def test_ending_the_service_of_a_kiosk_ticket_returns_its_rating_code(gql, as_, hall_ready):  # noqa: F811
    s1, kiosk = as_(Role.STAFF, "S001"), as_(Role.STAFF, "kiosk-01")
    sign_in = 'mutation { signInStaff(windowCode: "W01") { onDutyWindow } }'
    _data(gql(sign_in, token=s1), "signInStaff")
    _data(gql('mutation { openWindow(code: "W01") { status } }', token=s1), "openWindow")
    _data(_issue(gql, kiosk, "ZH"), "issueTicket")
    _serve(gql, s1, 1)

    key = {"Idempotency-Key": "end-A001"}
    ended = _data(gql(END.replace("NUMBER", "1"), token=s1, headers=key), "endTicketService")
    ref = f"ZH:{ended['serviceDay']}:1"
    evaluation = ended["evaluation"]
    code = evaluation.pop("ratingCode")
    assert ended["status"] == "ENDED"
    assert len(code) == 16
    assert evaluation == {
        "id": evaluation["id"],
        "subjectKind": "VISIT",
        "subjectRef": ref,
        "channel": "OFFLINE",
        "status": "INVITED",
        "windowCode": "W01",
        "staffBadge": "S001",
        "itemCode": "QY-001",  # ZH serves this one item
    }
    # The evaluator's request timed out and is sent again: the same answer, the same code,
    # nothing recorded twice.
    again = _data(gql(END.replace("NUMBER", "1"), token=s1, headers=key), "endTicketService")
    assert again["evaluation"]["ratingCode"] == code
    assert _codes(gql(END.replace("NUMBER", "1"), token=s1)) == ["CONFLICT"]  # ended

    # Inviting the visit by hand again is refused: one invitation per visit.
    assert _codes(gql(INVITE, {"ref": ref}, token=s1)) == ["CONFLICT"]
    # At the evaluator, the applicant rates with the code.
    rater = as_(Role.APPLICANT, "walk-in-1")
    assert _codes(gql(RATE, {"id": evaluation["id"], "code": None}, token=rater)) == ["FORBIDDEN"]
    rated = _data(gql(RATE, {"id": evaluation["id"], "code": code}, token=rater), "submitRating")
    assert rated == {"status": "RATED", "level": "SATISFIED"}


def test_a_mobile_tickets_visit_is_invited_for_its_holder_without_a_code(gql, as_, hall_ready):  # noqa: F811
    s1, holder = as_(Role.STAFF, "S001"), as_(Role.APPLICANT, "a-9")
    _data(
        gql('mutation { signInStaff(windowCode: "W01") { onDutyWindow } }', token=s1), "signInStaff"
    )
    _data(gql('mutation { openWindow(code: "W01") { status } }', token=s1), "openWindow")
    _data(_issue(gql, holder, "ZH", "MOBILE"), "issueTicket")
    _serve(gql, s1, 1)
    ended = _data(gql(END.replace("NUMBER", "1"), token=s1), "endTicketService")
    assert ended["evaluation"]["ratingCode"] is None
    rated = _data(
        gql(RATE, {"id": ended["evaluation"]["id"], "code": None}, token=holder), "submitRating"
    )
    assert rated["status"] == "RATED"
    # Elsewhere a ticket carries no invitation.
    call = 'mutation { callNextTicket(windowCode: "W01") { evaluation { id } } }'
    assert _codes(gql(call, token=s1)) == ["NOT_FOUND"]  # nobody waits; nothing else to show


REISSUE = """mutation($id: ID!) { reissueRatingCode(evaluationId: $id) {
  ratingCode reissuedAt evaluation { id status ratingCode } } }"""
TRAIL = """query($search: AuditTrailSearch) { auditTrail(search: $search) {
  edges { node { actor eventType recordId } } } }"""
REGISTER = """mutation($id: String!) {
  registerHall(input: {hallId: $id, name: "另一个大厅", region: "江苏省苏州市"}) { hallId }
}"""


def _kiosk_visit_served(gql, as_) -> tuple[str, str]:  # noqa: F811
    """A kiosk ticket served at W01 by S001: its evaluation id and (first) rating code."""
    s1, kiosk = as_(Role.STAFF, "S001"), as_(Role.STAFF, "kiosk-01")
    sign_in = 'mutation { signInStaff(windowCode: "W01") { onDutyWindow } }'
    _data(gql(sign_in, token=s1), "signInStaff")
    _data(gql('mutation { openWindow(code: "W01") { status } }', token=s1), "openWindow")
    _data(_issue(gql, kiosk, "ZH"), "issueTicket")
    _serve(gql, s1, 1)
    evaluation = _data(gql(END.replace("NUMBER", "1"), token=s1), "endTicketService")["evaluation"]
    return evaluation["id"], evaluation["ratingCode"]


def test_a_lost_rating_code_is_reissued_and_only_the_new_one_rates(
    gql,
    as_,  # noqa: F811
    hall_ready,  # noqa: F811
    project,
):
    # The evaluator screen failed: the code of the visit never reached the applicant.
    eid, lost = _kiosk_visit_served(gql, as_)
    # Another staff member of the hall (the service desk) reissues it; the request is sent
    # again under its key (the answer was lost too): the same code, recorded once.
    s2, key = as_(Role.STAFF, "S002"), {"Idempotency-Key": "reissue-A001"}
    first = _data(gql(REISSUE, {"id": eid}, token=s2, headers=key), "reissueRatingCode")
    code = first["ratingCode"]
    assert len(code) == 16
    assert code != lost
    assert first["evaluation"] == {"id": eid, "status": "INVITED", "ratingCode": None}
    again = _data(gql(REISSUE, {"id": eid}, token=s2, headers=key), "reissueRatingCode")
    assert again == first

    rater = as_(Role.APPLICANT, "walk-in-1")
    assert _codes(gql(RATE, {"id": eid, "code": lost}, token=rater)) == ["FORBIDDEN"]
    rated = _data(gql(RATE, {"id": eid, "code": code}, token=rater), "submitRating")
    assert rated == {"status": "RATED", "level": "SATISFIED"}
    # Rated: no new code (一次一评), whoever asks.
    for who in (s2, as_(Role.HALL_ADMIN, "admin-1")):
        assert _codes(gql(REISSUE, {"id": eid}, token=who)) == ["CONFLICT"]

    # The audit trail shows who reissued it (once), and when.
    project()
    search = {"search": {"eventType": "evaluations.RatingCodeReissued"}}
    trail = _data(gql(TRAIL, search, token=as_(Role.HALL_ADMIN, "admin-1")), "auditTrail")
    rows = [edge["node"] for edge in trail["edges"]]
    assert rows == [
        {"actor": "S002", "eventType": "evaluations.RatingCodeReissued", "recordId": eid}
    ]
    # The ratings read model shows the rating, counted as any other.
    ratings = """query { ratings { edges { node { evaluationId status level raterId } } } }"""
    listed = _data(gql(ratings, token=as_(Role.HALL_ADMIN, "admin-1")), "ratings")
    assert [edge["node"] for edge in listed["edges"]] == [
        {"evaluationId": eid, "status": "RATED", "level": "SATISFIED", "raterId": "walk-in-1"}
    ]


def test_reissuing_a_rating_code_is_refused_with_stable_codes(
    gql,
    as_,  # noqa: F811
    hall_ready,  # noqa: F811
    hall,  # noqa: F811
    token,
):
    eid, code = _kiosk_visit_served(gql, as_)
    s1 = as_(Role.STAFF, "S001")
    # Only the hall's staff and admins: not applicants, supervisors or auditors.
    for role in (Role.APPLICANT, Role.SUPERVISOR, Role.AUDITOR):
        assert _codes(gql(REISSUE, {"id": eid}, token=as_(role, "x-1"))) == ["FORBIDDEN"]
    # Another hall's staff do not find it.
    other = f"{hall}-b"
    _data(gql(REGISTER, {"id": other}, token=token(Role.PLATFORM_OPERATOR)), "registerHall")
    stranger = token(Role.STAFF, other, subject="S001")
    assert _codes(gql(REISSUE, {"id": eid}, token=stranger)) == ["NOT_FOUND"]
    assert _codes(gql(REISSUE, {"id": "not-an-id"}, token=s1)) == ["NOT_FOUND"]
    # An invitation naming its applicant has no code: they rate from their account.
    named = """mutation { inviteEvaluation(input: {subjectKind: MATTER, subjectRef: "M-1",
      channel: ONLINE, applicantId: "a-1"}) { id ratingCode } }"""
    invited = _data(gql(named, token=s1), "inviteEvaluation")
    assert invited["ratingCode"] is None
    assert _codes(gql(REISSUE, {"id": invited["id"]}, token=s1)) == ["CONFLICT"]
    # The refusals changed nothing: the first code still rates.
    rater = as_(Role.APPLICANT, "walk-in-1")
    rated = _data(gql(RATE, {"id": eid, "code": code}, token=rater), "submitRating")
    assert rated["status"] == "RATED"


END_AS = """mutation($number: Int!, $item: String) {
  endTicketService(queueCode: "ZH", number: $number, outcome: COMPLETED, itemCode: $item)
  { status evaluation { itemCode ratingCode } } }"""


def test_the_item_handled_is_named_when_the_service_ends(gql, as_, hall_ready):  # noqa: F811
    """ZH serves three items: the one staff name is the invitation's, so the visit counts
    under it (好评率 per 事项); a wrong or withdrawn one is refused and ends nothing; one
    published as not rated ends the service uninvited."""
    admin, s1 = as_(Role.HALL_ADMIN, "admin-1"), as_(Role.STAFF, "S001")
    kiosk = as_(Role.STAFF, "kiosk-01")
    for code, rated in (("QY-002", "true"), ("QY-003", "false"), ("QY-004", "true")):
        publish = f"""mutation {{ publishServiceItem(input: {{code: "{code}", name: "{code}",
          category: OTHER, rated: {rated}}}) {{ code }} }}"""
        _data(gql(publish, token=admin), "publishServiceItem")
    items = '["QY-001", "QY-002", "QY-003", "QY-004"]'
    reconfigure = f"""mutation {{ reconfigureQueue(input: {{code: "ZH", name: "综合受理",
      prefix: "A", itemCodes: {items}}}) {{ itemCodes }} }}"""
    _data(gql(reconfigure, token=admin), "reconfigureQueue")
    withdraw = 'mutation { withdrawServiceItem(code: "QY-004", reason: "停办") { code } }'
    _data(gql(withdraw, token=admin), "withdrawServiceItem")
    sign_in = 'mutation { signInStaff(windowCode: "W01") { onDutyWindow } }'
    _data(gql(sign_in, token=s1), "signInStaff")
    _data(gql('mutation { openWindow(code: "W01") { status } }', token=s1), "openWindow")
    for _ in range(3):
        _data(_issue(gql, kiosk, "ZH"), "issueTicket")

    _serve(gql, s1, 1)
    wrong = gql(END_AS, {"number": 1, "item": "QY-999"}, token=s1)
    assert _codes(wrong) == ["VALIDATION"]
    assert "QY-001, QY-002, QY-003, QY-004" in wrong.json()["errors"][0]["message"]
    assert _codes(gql(END_AS, {"number": 1, "item": "QY-004"}, token=s1)) == ["CONFLICT"]
    ended = _data(gql(END_AS, {"number": 1, "item": "QY-002"}, token=s1), "endTicketService")
    assert ended["status"] == "ENDED"  # the refusals ended nothing
    assert ended["evaluation"]["itemCode"] == "QY-002"
    assert len(ended["evaluation"]["ratingCode"]) == 16

    _serve(gql, s1, 2)
    unrated = _data(gql(END_AS, {"number": 2, "item": "QY-003"}, token=s1), "endTicketService")
    assert unrated == {"status": "ENDED", "evaluation": None}

    _serve(gql, s1, 3)
    unnamed = _data(gql(END_AS, {"number": 3, "item": None}, token=s1), "endTicketService")
    assert unnamed["evaluation"]["itemCode"] == ""  # several items: the hall's
