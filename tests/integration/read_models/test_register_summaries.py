"""The case and complaint registers' figures per month (按时办结率, 属实率, days to close), fed
by real case and complaint commands through the store, read over GraphQL.

Cases of hall A (现场导办, completed once accepted; 5 working days; days are Beijing's):

====  ===========  ===========  ========================  =====================================
case  requested    accepted     ended                     what the figures see
====  ===========  ===========  ========================  =====================================
C1    05-11        05-11        completed 05-15           May, on time (due 05-18), 4 days
C2    05-11        05-11        completed 05-20           May, late (due 05-18), 9 days
C3    05-25        05-25        completed 05-31 23:30     May, on time (due 06-01), 6 days
C4    05-25        05-25        completed 06-01 00:30     June, on time, 7 days
C5    05-12        05-12        terminated 05-13          May, terminated: in no rate
C6    05-29        -            -                         requested only
C7    06-01 00:30  -            -                         June, requested only
C8    07-01        -            -                         July: nothing completed
====  ===========  ===========  ========================  =====================================

Complaints of hall A (referred: 5 working days; on the spot: 1):

====  ========  ===========  ============  =====================  =============================
ref   received  accepted     finding       replied                what the figures see
====  ========  ===========  ============  =====================  =============================
K1    05-11     05-11 ref.   属实           05-14                  May, on time, 3 days
K2    05-11     05-11 ref.   部分属实       05-20 (due 05-18)      May, late, 9 days
K3    05-12     05-12 spot   不属实         05-12                  May, on time, 0 days
K4    05-11     05-11 ref.   不属实         05-12, reopened 05-13  in no month (not replied now)
K5    05-25     05-25 ref.   属实           06-01 00:30            June, on time, 7 days
K6    05-25     05-25 ref.   不属实         05-31 23:30            May, on time, 6 days
K7    05-12     rejected     -             -                      received only
K8    05-13     05-13 spot   不属实         05-18                  May, late: extended on 05-15
                                                                  after missing 05-14, 5 days
K9    06-01 00:30 -          -             -                      June, received only
K10   07-01     -            -             -                      July: nothing replied
====  ========  ===========  ============  =====================  =============================

Hall B has one case completed late and one complaint replied late in May.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import pytest

from gateway.auth import Role
from services.cases import Applicant, CaseRequest, CaseService
from services.complaints import ComplaintService
from services.complaints.application import ComplaintDetails
from tests.integration.read_models.conftest import ITEM, codes, data, edges, moment

CASES = """query($from: String, $to: String, $first: Int, $after: String) {
  assistanceCaseSummary(monthFrom: $from, monthTo: $to, first: $first, after: $after) {
    edges { node { month requested completed completedOnTime terminated onTimeRate
                   averageDaysToClose maxDaysToClose } }
    pageInfo { hasNextPage endCursor }
  }
}"""
COMPLAINTS = """query($from: String, $to: String) {
  complaintSummary(monthFrom: $from, monthTo: $to) {
    edges { node { month received replied repliedOnTime substantiated partlySubstantiated
                   notSubstantiated onTimeRate substantiationRate averageDaysToClose
                   maxDaysToClose } }
  }
}"""
ONE = """query($id: ID!) { complaint(id: $id) { acceptedOn repliedOn repliedOnTime } }"""

MAY_END = datetime(2026, 5, 31, 15, 30, tzinfo=UTC)  # 2026-05-31 23:30 in Beijing
JUNE_START = datetime(2026, 5, 31, 16, 30, tzinfo=UTC)  # 2026-06-01 00:30 in Beijing


def _request(app_at, hall: str, at: datetime) -> UUID:
    app = app_at(CaseService, hall, at)
    person = Applicant("citizen-1", "张三", "110101199003070011", "13800000000")
    request = CaseRequest("ONSITE_GUIDANCE", ITEM, "企业设立登记", "HALL", person)
    return app.request_case(request, "citizen-1").id


def _case(app_at, hall: str, accepted: datetime, ended: datetime, how: str = "complete") -> None:
    case = _request(app_at, hall, accepted)
    app_at(CaseService, hall, accepted).accept_case(case, "S001", "agent-1")
    if how == "complete":
        app_at(CaseService, hall, ended).complete_case(case, "", "agent-1")
    else:
        app_at(CaseService, hall, ended).terminate_case(case, "申请人放弃", "agent-1")


def _complaint(app_at, hall: str, at: datetime) -> UUID:
    details = ComplaintDetails(
        channel="IN_PERSON",
        facts="办理太慢",
        applicant_id="citizen-2",
        complainant_name="李四",
        respondent_window="W01",
    )
    return app_at(ComplaintService, hall, at).receive_complaint(details, "citizen-2").id


def _handled(
    app_at, hall: str, accepted: datetime, kind: str, finding: str, replied: datetime
) -> UUID:
    """A complaint received and accepted at ``accepted``, investigated and disposed of the
    same day, replied at ``replied``."""
    complaint = _complaint(app_at, hall, accepted)
    app = app_at(ComplaintService, hall, accepted)
    app.accept_complaint(complaint, kind, "admin-1")
    if kind == "REFERRED":  # 登记转办: investigated by the unit it is referred to
        app.assign_complaint(complaint, "业务科", "admin-1")
    app.investigate_complaint(complaint, finding, "调查", "sup-1")
    app.dispose_complaint(complaint, ["处理"], "sup-1")
    app_at(ComplaintService, hall, replied).reply_to_complaint(complaint, "答复", "sup-1")
    return complaint


@pytest.fixture
def cases(hall, other_hall, app_at, project) -> None:
    _case(app_at, hall, moment("2026-05-11"), moment("2026-05-15"))
    _case(app_at, hall, moment("2026-05-11"), moment("2026-05-20"))
    _case(app_at, hall, moment("2026-05-25"), MAY_END)
    _case(app_at, hall, moment("2026-05-25"), JUNE_START)
    _case(app_at, hall, moment("2026-05-12"), moment("2026-05-13"), how="terminate")
    _request(app_at, hall, moment("2026-05-29"))
    _request(app_at, hall, JUNE_START)
    _request(app_at, hall, moment("2026-07-01"))
    _case(app_at, other_hall, moment("2026-05-11"), moment("2026-05-25"))
    project()


@pytest.fixture
def complaints(hall, other_hall, app_at, project) -> dict[str, str]:
    ids = {
        "K1": _handled(
            app_at, hall, moment("2026-05-11"), "REFERRED", "SUBSTANTIATED", moment("2026-05-14")
        ),
        "K2": _handled(
            app_at,
            hall,
            moment("2026-05-11"),
            "REFERRED",
            "PARTLY_SUBSTANTIATED",
            moment("2026-05-20"),
        ),
        "K3": _handled(
            app_at,
            hall,
            moment("2026-05-12"),
            "ON_THE_SPOT",
            "NOT_SUBSTANTIATED",
            moment("2026-05-12", hour=2),
        ),
        "K4": _handled(
            app_at,
            hall,
            moment("2026-05-11"),
            "REFERRED",
            "NOT_SUBSTANTIATED",
            moment("2026-05-12"),
        ),
        "K5": _handled(app_at, hall, moment("2026-05-25"), "REFERRED", "SUBSTANTIATED", JUNE_START),
        "K6": _handled(
            app_at, hall, moment("2026-05-25"), "REFERRED", "NOT_SUBSTANTIATED", MAY_END
        ),
    }
    app_at(ComplaintService, hall, moment("2026-05-13")).reopen_complaint(
        ids["K4"], "复查", "sup-1"
    )
    k7 = _complaint(app_at, hall, moment("2026-05-12"))
    app_at(ComplaintService, hall, moment("2026-05-12")).reject_complaint(
        k7, "OUT_OF_SCOPE", "不属本中心职责", "admin-1"
    )
    k8 = _complaint(app_at, hall, moment("2026-05-13"))
    app_at(ComplaintService, hall, moment("2026-05-13")).accept_complaint(
        k8, "ON_THE_SPOT", "admin-1"
    )
    # due 05-14; extended on 05-15 (the miss is recorded first) to 05-19, replied 05-18
    app = app_at(ComplaintService, hall, moment("2026-05-15"))
    app.extend_complaint_deadline(k8, 3, "需调取录像", "admin-1")
    app.investigate_complaint(k8, "NOT_SUBSTANTIATED", "误会", "sup-1")
    app.dispose_complaint(k8, ["解释"], "sup-1")
    app_at(ComplaintService, hall, moment("2026-05-18")).reply_to_complaint(k8, "答复", "sup-1")
    _complaint(app_at, hall, JUNE_START)
    _complaint(app_at, hall, moment("2026-07-01"))
    _handled(
        app_at,
        other_hall,
        moment("2026-05-11"),
        "ON_THE_SPOT",
        "SUBSTANTIATED",
        moment("2026-05-20"),
    )
    project()
    return {ref: str(i) for ref, i in ids.items()}


def _months(gql, token, hall: str, query: str, field: str, **variables) -> dict[str, dict]:
    response = gql(query, variables, token=token(Role.SUPERVISOR, hall))
    return {row.pop("month"): row for row in edges(data(response, field))}


def _case_month(requested, on_time, late, terminated, days: list[int]) -> dict:
    """A month of the case summary from its cases: 按时办结率 = on time / completed; the days
    to close over the completed cases."""
    completed = on_time + late
    return {
        "requested": requested,
        "completed": completed,
        "completedOnTime": on_time,
        "terminated": terminated,
        "onTimeRate": on_time / completed if completed else None,
        "averageDaysToClose": sum(days) / len(days) if days else None,
        "maxDaysToClose": max(days) if days else None,
    }


def _complaint_month(received, on_time, late, findings: tuple[int, int, int], days) -> dict:
    """A month of the complaint summary: on-time rate = on time / replied; 属实率 = (属实 +
    部分属实) / the three findings; the days to close over the replied complaints."""
    replied = on_time + late
    found = sum(findings)
    return {
        "received": received,
        "replied": replied,
        "repliedOnTime": on_time,
        "substantiated": findings[0],
        "partlySubstantiated": findings[1],
        "notSubstantiated": findings[2],
        "onTimeRate": on_time / replied if replied else None,
        "substantiationRate": (findings[0] + findings[1]) / found if found else None,
        "averageDaysToClose": sum(days) / len(days) if days else None,
        "maxDaysToClose": max(days) if days else None,
    }


def test_the_case_summary_counts_completions_in_the_month_of_their_day(gql, token, hall, cases):
    months = _months(gql, token, hall, CASES, "assistanceCaseSummary")
    assert list(months) == ["2026-05", "2026-06", "2026-07"]
    # May: C1 (4 days), C2 (late, 9), C3 (23:30 on 05-31 in Beijing, 6); C5 terminated
    assert months["2026-05"] == _case_month(6, on_time=2, late=1, terminated=1, days=[4, 9, 6])
    # June: C4, completed at 00:30 on 06-01 in Beijing (still May in UTC); C7 requested then
    assert months["2026-06"] == _case_month(1, on_time=1, late=0, terminated=0, days=[7])
    # July: a request, no completion: nothing to divide by
    assert months["2026-07"] == _case_month(1, on_time=0, late=0, terminated=0, days=[])
    assert months["2026-07"]["onTimeRate"] is None


def test_the_case_summary_limits_and_pages_its_months(gql, token, hall, cases):
    token_ = token(Role.STAFF, hall)
    page = data(gql(CASES, {"from": "2026-06", "first": 1}, token=token_), "assistanceCaseSummary")
    assert [n["month"] for n in edges(page)] == ["2026-06"]
    assert page["pageInfo"]["hasNextPage"]
    after = page["pageInfo"]["endCursor"]
    rest = data(
        gql(CASES, {"from": "2026-06", "after": after}, token=token_), "assistanceCaseSummary"
    )
    assert [n["month"] for n in edges(rest)] == ["2026-07"]
    only_may = _months(gql, token, hall, CASES, "assistanceCaseSummary", to="2026-05")
    assert list(only_may) == ["2026-05"]
    assert codes(gql(CASES, {"from": "2026-13"}, token=token_)) == ["VALIDATION"]
    assert codes(gql(CASES, {"from": "2026-06", "to": "2026-05"}, token=token_)) == ["VALIDATION"]
    applicant = token(Role.APPLICANT, hall, "citizen-1")
    assert codes(gql(CASES, {}, token=applicant)) == ["FORBIDDEN"]


def test_a_halls_case_summary_counts_only_its_own_cases(gql, token, hall, other_hall, cases):
    mine = _months(gql, token, hall, CASES, "assistanceCaseSummary", to="2026-05")
    assert mine["2026-05"] == _case_month(6, on_time=2, late=1, terminated=1, days=[4, 9, 6])
    theirs = _months(gql, token, other_hall, CASES, "assistanceCaseSummary")
    assert theirs == {"2026-05": _case_month(1, on_time=0, late=1, terminated=0, days=[14])}


def test_the_complaint_summary_counts_replies_in_the_month_of_their_day(
    gql, token, hall, complaints
):
    months = _months(gql, token, hall, COMPLAINTS, "complaintSummary")
    assert list(months) == ["2026-05", "2026-06", "2026-07"]
    # May: K1 (3 days), K2 (late, 9), K3 (0), K6 (23:30 on 05-31, 6), K8 (replied by the
    # extended due date, but the first was missed: late, 5); K4 reopened: not replied now
    assert months["2026-05"] == _complaint_month(
        8, on_time=3, late=2, findings=(1, 1, 3), days=[3, 9, 0, 6, 5]
    )
    # June: K5, replied at 00:30 on 06-01 in Beijing; K9 received then
    assert months["2026-06"] == _complaint_month(1, on_time=1, late=0, findings=(1, 0, 0), days=[7])
    # July: received, nothing replied: no rate
    assert months["2026-07"] == _complaint_month(1, on_time=0, late=0, findings=(0, 0, 0), days=[])
    assert months["2026-07"]["substantiationRate"] is None


def test_the_register_shows_the_days_the_summary_counts(gql, token, hall, complaints):
    def one(ref: str) -> dict:
        response = gql(ONE, {"id": complaints[ref]}, token=token(Role.STAFF, hall))
        return data(response, "complaint")

    assert one("K5") == {
        "acceptedOn": "2026-05-25",
        "repliedOn": "2026-06-01",
        "repliedOnTime": True,
    }
    assert one("K6")["repliedOn"] == "2026-05-31"
    # a reopening keeps the acceptance day and clears the reply with the round's outcome
    assert one("K4") == {"acceptedOn": "2026-05-11", "repliedOn": None, "repliedOnTime": None}


def test_a_halls_complaint_summary_counts_only_its_own_complaints(
    gql, token, hall, other_hall, complaints
):
    mine = _months(gql, token, hall, COMPLAINTS, "complaintSummary", **{"from": "2026-05"})
    assert (mine["2026-05"]["received"], mine["2026-05"]["replied"]) == (8, 5)
    assert mine["2026-05"]["substantiated"] == 1
    theirs = _months(gql, token, other_hall, COMPLAINTS, "complaintSummary")
    assert theirs == {
        "2026-05": _complaint_month(1, on_time=0, late=1, findings=(1, 0, 0), days=[9])
    }
