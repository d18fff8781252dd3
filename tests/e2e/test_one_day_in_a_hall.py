"""One day in one hall through GraphQL over real HTTP, on PostgreSQL: windows opened by
signed-in staff, tickets issued, called and served; a 帮办代办 case with a one-time notice
(一次性告知) to archive; a complaint to archive; a bad rating and its rectification through
review. The scenarios are those of the per-context e2e tests, run in sequence in the same
hall, so each step also meets the records the others left behind."""

from __future__ import annotations

from gateway.auth import Role
from tests.e2e import test_case_lifecycle as cases
from tests.e2e import test_complaint_and_rating as complaints
from tests.e2e import test_queue_day as queueing
from tests.e2e.test_complaint_and_rating import as_, hall  # noqa: F401  (fixtures)
from tests.e2e.test_queue_day import hall_ready  # noqa: F401  (fixture)


def test_one_day_in_a_hall(gql, token, as_, hall, hall_ready, platform, project, monkeypatch):  # noqa: F811
    # Morning to evening at the windows: sign in, open, issue, call, serve, miss, transfer.
    queueing.test_one_day_of_queueing_at_two_windows(
        gql, as_, hall, hall_ready, platform, monkeypatch
    )

    # A 帮办代办 case: request, acceptance (首问负责), a one-time notice, to archive.
    cases._data(gql(cases.PUBLISH, token=as_(Role.HALL_ADMIN)), "publishServiceItem")
    applicant = token(Role.APPLICANT, hall, subject="citizen-7")
    created = cases._data(gql(cases.REQUEST, token=applicant), "requestAssistanceCase")
    case = cases.CaseClient(gql, platform, hall, created["id"], token(Role.STAFF, hall, "S001"))
    due = cases._accept_check_and_notice(case)
    cases._mandate_hand_over_and_submit(case, due)
    cases._deliver_complete_and_archive(case, token(Role.SUPERVISOR, hall, subject="sup-1"))

    # A complaint to archive, and a bad rating with its rectification through review.
    complaints.test_a_complaint_from_registration_to_archive(gql, as_, hall, platform)
    complaints.test_a_bad_rating_and_its_rectification_through_review(gql, as_, hall, platform)

    # The day's read models catch up, and every stored event still keeps its contract.
    project()
    cases._stored_events_keep_their_contracts(platform, hall)
