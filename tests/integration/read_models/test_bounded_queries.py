"""A page of a register costs the same number of SQL statements whatever its size: each
case's history and each bad rating's rectification come through one dataloader batch."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from typing import Any, ClassVar

import psycopg
import psycopg_pool
import pytest

from gateway.app import create_app
from gateway.auth import Role
from services.cases import Applicant, CaseRequest, CaseService
from services.evaluations import EvaluationService, Invitation, Rating
from tests.e2e.gateway.conftest import Server
from tests.integration.read_models.conftest import ITEM, data, edges, moment, serving

CASES = """query($n: Int) { assistanceCases(first: $n) {
  edges { node { caseId history { event status } } } } }"""
BAD = """query($n: Int) { badRatings(first: $n) {
  edges { node { subjectRef rectification { status overdue } } } } }"""


class CountingCursor(psycopg.Cursor[Any]):
    """Counts the statements the gateway sends."""

    statements: ClassVar[list[str]] = []
    lock = threading.Lock()

    def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
        with self.lock:
            CountingCursor.statements.append(str(query))
        return super().execute(query, params, **kwargs)


def _configure(conn: psycopg.Connection[Any]) -> None:
    conn.autocommit = True
    conn.execute("SET ROLE yanshen_app")
    conn.cursor_factory = CountingCursor


@pytest.fixture
def counted(platform, database_url) -> Iterator[Server]:
    """A live gateway whose read-model pool counts statements."""
    pool = psycopg_pool.ConnectionPool(
        database_url, min_size=1, max_size=4, configure=_configure, open=False
    )
    pool.open(wait=True)
    server = Server(create_app(dataclasses.replace(platform, app_pool=pool))).__enter__()
    yield server
    server.__exit__()
    pool.close()


def _cost(server: Server, query: str, n: int, token: str, field: str) -> tuple[int, int]:
    CountingCursor.statements.clear()
    rows = edges(data(server.gql(query, {"n": n}, token=token), field))
    return len(rows), len(CountingCursor.statements)


def test_a_page_of_cases_with_histories_costs_the_same_for_5_or_25(
    hall, app_at, project, token, counted
):
    app = app_at(CaseService, hall, moment("2026-09-29"))
    for n in range(25):
        person = Applicant(f"p-{n}", "某人", "110101199003070011", "13800000000")
        case = app.request_case(CaseRequest("FULL_AGENCY", ITEM, "设立", "HALL", person), "x")
        app.accept_case(case.id, "S001", "agent-1")
    project()
    staff = token(Role.STAFF, hall)
    small = _cost(counted, CASES, 5, staff, "assistanceCases")
    large = _cost(counted, CASES, 25, staff, "assistanceCases")
    assert (small[0], large[0]) == (5, 25)
    assert large[1] == small[1], CountingCursor.statements


def test_a_page_of_bad_ratings_with_rectifications_costs_the_same_for_2_or_12(
    hall, app_at, project, token, counted
):
    serving(app_at, hall, "2026-05-06", "W01", "S001")
    app = app_at(EvaluationService, hall, moment("2026-05-06"))
    for n in range(12):
        invitation = Invitation("VISIT", f"T{n}", "OFFLINE", "a-1", "W01", "S001", "")
        evaluation = app.invite_evaluation(invitation, "S001")
        app.submit_rating(evaluation.id, Rating("DISSATISFIED", {"OVERALL": 2}), "a-1")
    project()
    staff = token(Role.SUPERVISOR, hall)
    small = _cost(counted, BAD, 2, staff, "badRatings")
    large = _cost(counted, BAD, 12, staff, "badRatings")
    assert (small[0], large[0]) == (2, 12)
    assert large[1] == small[1], CountingCursor.statements
