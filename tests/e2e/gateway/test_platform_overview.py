"""The platform overview (platformOverview) through the live gateway: every hall with its
events and projection lag, activity, deadlines, the read models' versions; operators only;
bad input; bounded SQL."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import psycopg
import psycopg_pool
import pytest

from deploy.bootstrap import all_projections, read_models
from gateway.app import create_app
from gateway.auth import Role
from gateway.subscriptions import log_head
from services.evaluations import EvaluationService, Invitation
from services.evaluations.policies import rectification_id_for
from services.partners import PLATFORM_LOG, PartnerRegistry
from services.rectifications import RectificationService
from services.shared.working_days import local_date
from tests.e2e.gateway.conftest import REGISTER, Server, codes
from tests.e2e.gateway.test_pagination_and_loaders import CountingCursor
from tests.integration.projections.support import BAD

NAMES = {p.name for p in all_projections()}

HALL = """query($h: String!, $from: Date!, $to: Date!) {
  platformOverview { hall(hallId: $h) {
    hallId name region registeredAt events lastEventAt maxLag
    projectionLag { projection head position lag updatedAt }
    activity { context events firstEventAt lastEventAt }
    dailyActivity(dayFrom: $from, dayTo: $to) { day events }
    deadlines { context open overdue closedLate }
  } } }"""
HALLS = """query($n: Int, $after: String) {
  platformOverview { halls(first: $n, after: $after) {
    edges { cursor node { hallId name events maxLag projectionLag { projection lag } } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  } } }"""
DETAILS = """query($n: Int) {
  platformOverview { halls(first: $n) { edges { node {
    hallId projectionLag { projection lag } deadlines { context open }
  } } } } }"""
READ_MODELS = "{ platformOverview { readModels { name codeVersion liveVersion state } } }"
DAYS = """query($h: String!, $from: Date!, $to: Date!) {
  platformOverview { hall(hallId: $h) { dailyActivity(dayFrom: $from, dayTo: $to) { day } } } }"""


def _today() -> date:
    return local_date(datetime.now(UTC))


def _day_of(moment: str) -> date:
    """The day in Beijing of a ``DateTime`` the API returned."""
    return local_date(datetime.fromisoformat(moment))


def _hall(gql, token, hall: str, days: tuple[date, date] | None = None) -> dict[str, Any]:
    first, last = days or (_today() - timedelta(days=1), _today() + timedelta(days=1))
    variables = {"h": hall, "from": first.isoformat(), "to": last.isoformat()}
    r = gql(HALL, variables, token=token(Role.PLATFORM_OPERATOR)).json()
    assert "errors" not in r, r
    return r["data"]["platformOverview"]["hall"]


def _every_hall(gql, token) -> dict[str, dict[str, Any]]:
    """Every hall of the overview, page by page (other tests' halls are there too)."""
    found: dict[str, dict[str, Any]] = {}
    after = None
    while True:
        r = gql(HALLS, {"n": 100, "after": after}, token=token(Role.PLATFORM_OPERATOR)).json()
        assert "errors" not in r, r
        page = r["data"]["platformOverview"]["halls"]
        found.update({e["node"]["hallId"]: e["node"] for e in page["edges"]})
        if not page["pageInfo"]["hasNextPage"]:
            return found
        after = page["pageInfo"]["endCursor"]


def _rate_badly(platform, hall: str, times: int) -> None:
    """Bad ratings: each opens a rectification with an open verification deadline."""
    evaluations = platform.hall_app(EvaluationService, hall)
    for i in range(times):
        invitation = Invitation(subject_kind="MATTER", subject_ref=f"M-{i}", channel="ONLINE")
        invited = evaluations.invite_evaluation(invitation, "S001")
        evaluations.submit_rating(invited.id, BAD, "applicant", rating_code=invited.rating_code)


def test_the_operator_sees_every_hall_with_its_events_and_lag(
    gql, token, platform, hall, other_hall, publish, project
):
    publish(hall, "A-1", "A-2")
    partners = platform.hall_app(PartnerRegistry, PLATFORM_LOG)
    partners.register_partner(f"p-{hall}", "合作方", "ops@example.cn", "op")  # no hall's log
    project()
    publish(other_hall, "B-1", "B-2", "B-3")  # three events no projection has applied
    heads = {h: log_head(platform.app_pool, h) for h in (hall, other_hall)}
    assert heads == {hall: 3, other_hall: 4}

    listed = _every_hall(gql, token)
    assert {h: listed[h]["events"] for h in heads} == heads
    assert (listed[hall]["name"], listed[other_hall]["name"]) == ("测试大厅", "另一个大厅")
    assert (listed[hall]["maxLag"], listed[other_hall]["maxLag"]) == (0, 3)
    assert PLATFORM_LOG not in listed  # the partners' log is no hall

    current, behind = _hall(gql, token, hall), _hall(gql, token, other_hall)
    assert (current["events"], current["region"], current["maxLag"]) == (3, "江苏省苏州市", 0)
    assert current["registeredAt"] is not None
    assert current["lastEventAt"] is not None
    assert {lag["projection"] for lag in behind["projectionLag"]} >= NAMES
    for lag in behind["projectionLag"]:
        assert lag["head"] == 4
        assert lag["lag"] == lag["head"] - lag["position"]
        if lag["projection"] in NAMES:
            assert (lag["position"], lag["lag"]) == (1, 3)
            assert lag["updatedAt"] is not None
    assert behind["maxLag"] == max(lag["lag"] for lag in behind["projectionLag"]) == 3
    assert {lag["lag"] for lag in current["projectionLag"] if lag["projection"] in NAMES} == {0}

    project()
    caught_up = _hall(gql, token, other_hall)
    assert caught_up["maxLag"] == 0
    assert {lag["lag"] for lag in caught_up["projectionLag"]} == {0}


def test_activity_counts_the_events_appended(gql, token, platform, hall, publish, project):
    publish(hall, "A-1", "A-2", "A-3")
    _rate_badly(platform, hall, 2)
    project()
    head = log_head(platform.app_pool, hall)
    overview = _hall(gql, token, hall)
    activity = {a["context"]: a["events"] for a in overview["activity"]}
    assert activity["halls"] == 1
    assert activity["catalog"] == 3
    assert activity["evaluations"] >= 4  # invited and rated, twice
    assert sum(activity.values()) == head == overview["events"]
    assert [a["events"] for a in overview["activity"]] == sorted(activity.values(), reverse=True)
    # The days of the events, first and last (one, unless a Beijing midnight came between).
    days = sorted(
        {
            *(_day_of(a["firstEventAt"]) for a in overview["activity"]),
            _day_of(overview["lastEventAt"]),
        }
    )
    assert [d["day"] for d in overview["dailyActivity"]] == [d.isoformat() for d in days]
    assert sum(d["events"] for d in overview["dailyActivity"]) == head
    assert overview["deadlines"] == [
        {"context": "rectifications", "open": 2, "overdue": 0, "closedLate": 0}
    ]


def test_a_deadline_closed_after_its_due_date_counts_as_closed_late(
    gql, token, platform, hall, project
):
    """A bad rating on 2026-09-29 opens a rectification whose verification call is due
    09-30; the call comes on 10-09, with no deadline round in between. The deadline is
    closed late all the same (the event says the call was not on time)."""
    opened = datetime(2026, 9, 29, 2, tzinfo=UTC)  # 10:00 in Beijing
    evaluations = platform.hall_app(EvaluationService, hall)
    evaluations.clock = lambda: opened  # type: ignore[method-assign]
    invitation = Invitation(subject_kind="MATTER", subject_ref="M-late", channel="ONLINE")
    invited = evaluations.invite_evaluation(invitation, "S001")
    evaluations.submit_rating(invited.id, BAD, "applicant", rating_code=invited.rating_code)
    rectifications = platform.hall_app(RectificationService, hall)
    rectifications.clock = lambda: opened + timedelta(days=10)  # type: ignore[method-assign]
    rectifications.record_verification_call(
        rectification_id_for(invited.evaluation), True, "核实", "S002"
    )
    project()
    assert _hall(gql, token, hall)["deadlines"] == [
        {"context": "rectifications", "open": 0, "overdue": 0, "closedLate": 1}
    ]


def test_daily_activity_keeps_to_its_range(gql, token, hall, project):
    project()
    # The day of the hall's only event (its registration): today, unless a Beijing midnight
    # came since.
    today = _day_of(_hall(gql, token, hall)["lastEventAt"])
    before = _hall(gql, token, hall, (today - timedelta(days=5), today - timedelta(days=1)))
    after = _hall(gql, token, hall, (today + timedelta(days=1), today + timedelta(days=2)))
    only_today = _hall(gql, token, hall, (today, today))
    assert before["dailyActivity"] == after["dailyActivity"] == []
    assert only_today["dailyActivity"] == [{"day": today.isoformat(), "events": 1}]


def test_halls_page_by_hall_id(gql, token, hall, other_hall):
    operator = token(Role.PLATFORM_OPERATOR)
    first = gql(HALLS, {"n": 1}, token=operator).json()["data"]["platformOverview"]["halls"]
    assert len(first["edges"]) == 1
    assert first["pageInfo"]["hasNextPage"] is True
    assert first["pageInfo"]["hasPreviousPage"] is False
    cursor = first["pageInfo"]["endCursor"]
    rest = gql(HALLS, {"n": 100, "after": cursor}, token=operator).json()
    ids = [e["node"]["hallId"] for e in rest["data"]["platformOverview"]["halls"]["edges"]]
    assert first["edges"][0]["node"]["hallId"] < ids[0]
    assert ids == sorted(ids)


def test_halls_page_in_hall_id_order_whatever_the_database_collation(
    gql, token, hall, other_hall, monkeypatch
):
    """Under e.g. en_US the database sorts 't1-b' after 't10' (the hyphen is ignored), while
    the cursor compares code points: a page would skip halls. Here the rows come reversed."""
    from gateway.platform_overview import queries

    listed = queries.hall_overviews
    monkeypatch.setattr(queries, "hall_overviews", lambda pool: listed(pool)[::-1])
    operator, seen, after = token(Role.PLATFORM_OPERATOR), [], None
    while True:
        page = gql(HALLS, {"n": 1, "after": after}, token=operator).json()
        halls = page["data"]["platformOverview"]["halls"]
        seen += [e["node"]["hallId"] for e in halls["edges"]]
        if not halls["pageInfo"]["hasNextPage"]:
            break
        after = halls["pageInfo"]["endCursor"]
    assert {hall, other_hall} <= set(seen)
    assert seen == sorted(set(seen))


@pytest.mark.parametrize("query", [HALLS, READ_MODELS], ids=["halls", "readModels"])
@pytest.mark.parametrize("role", [r for r in Role if r is not Role.PLATFORM_OPERATOR])
def test_every_other_role_is_forbidden(gql, token, hall, role, query):
    r = gql(query, {}, token=token(role, hall))
    assert codes(r) == ["FORBIDDEN"]
    assert r.json()["data"] is None


@pytest.mark.parametrize("query", [HALLS, READ_MODELS], ids=["halls", "readModels"])
def test_anonymous_callers_and_operators_bound_to_a_hall_are_refused(gql, token, hall, query):
    assert codes(gql(query, {})) == ["UNAUTHENTICATED"]
    bound = gql(query, {}, token=token(Role.PLATFORM_OPERATOR, hall))
    assert codes(bound) == ["FORBIDDEN"]
    assert "bound to no hall" in bound.json()["errors"][0]["message"]
    assert bound.json()["data"] is None


def _read_models(gql, token) -> dict[str, dict[str, Any]]:
    r = gql(READ_MODELS, {}, token=token(Role.PLATFORM_OPERATOR)).json()
    assert "errors" not in r, r
    listed = r["data"]["platformOverview"]["readModels"]
    names = [m["name"] for m in listed]
    assert names == sorted(names)
    return {m.pop("name"): m for m in listed}


@pytest.fixture
def record_version(database_url: str) -> Iterator[Callable[[str, int | None], None]]:
    """``record_version(name, version)``: write ``projection_versions`` as the owner (None:
    delete the row); every row is put back after the test (the session's database)."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        before = conn.execute("SELECT projection, version FROM projection_versions").fetchall()

    def record(name: str, version: int | None) -> None:
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("DELETE FROM projection_versions WHERE projection = %s", (name,))
            if version is not None:
                conn.execute(
                    "INSERT INTO projection_versions (projection, version) VALUES (%s, %s)",
                    (name, version),
                )

    yield record
    with psycopg.connect(database_url) as conn:
        conn.execute("DELETE FROM projection_versions")
        for name, version in before:
            conn.execute(
                "INSERT INTO projection_versions (projection, version) VALUES (%s, %s)",
                (name, version),
            )


def test_a_current_install_lists_every_read_model_current(gql, token):
    """The session's database was migrated as `yanshen migrate` does: every read model's
    version is recorded as this code's."""
    listed = _read_models(gql, token)
    assert listed == {
        p.name: {"codeVersion": p.version, "liveVersion": p.version, "state": "CURRENT"}
        for p in read_models()
    }
    assert "queue_board" in listed  # a read model at version 2 (its code's, recorded)
    assert NAMES - set(listed) == {p.name for p in all_projections() if not p.tables}


def test_a_read_model_built_by_another_version_shows_its_state(gql, token, record_version):
    """As after an upgrade (live below code: the worker's rebuild is due or running), with an
    old gateway left running (live above code), and before any version was recorded."""
    code = {p.name: p.version for p in read_models()}
    assert code["queue_board"] == 2
    record_version("queue_board", 1)
    record_version("catalog", code["catalog"] + 1)
    record_version("halls", None)
    listed = _read_models(gql, token)
    assert listed["queue_board"] == {
        "codeVersion": 2,
        "liveVersion": 1,
        "state": "REBUILD_PENDING",
    }
    assert listed["catalog"] == {
        "codeVersion": code["catalog"],
        "liveVersion": code["catalog"] + 1,
        "state": "CODE_OLDER_THAN_LIVE",
    }
    assert listed["halls"] == {
        "codeVersion": code["halls"],
        "liveVersion": None,
        "state": "NOT_RECORDED",
    }
    others = {name: m["state"] for name, m in listed.items()}
    assert {others.pop(n) for n in ("queue_board", "catalog", "halls")} == {
        "REBUILD_PENDING",
        "CODE_OLDER_THAN_LIVE",
        "NOT_RECORDED",
    }
    assert set(others.values()) == {"CURRENT"}


@pytest.mark.parametrize(
    ("query", "variables", "code", "says"),
    [
        (HALLS, {"n": 101}, "VALIDATION", "first must be between 0 and 100"),
        (HALLS, {"n": -1}, "VALIDATION", "first must be between"),
        (HALLS, {"after": "%%%"}, "VALIDATION", "invalid cursor"),
        (DAYS, {"h": "no-such-hall", "from": "2026-03-01", "to": "2026-03-02"}, "NOT_FOUND", ""),
        (DAYS, {"h": "Not A Hall", "from": "2026-03-01", "to": "2026-03-02"}, "VALIDATION", ""),
        (DAYS, {"from": "2026-03-02", "to": "2026-03-01"}, "VALIDATION", "ends (2026-03-01)"),
        (DAYS, {"from": "2025-03-01", "to": "2026-03-02"}, "VALIDATION", "at most 366 days"),
        (DAYS, {"from": "2026-03-32", "to": "2026-04-01"}, "VALIDATION", ""),
    ],
)
def test_bad_input_gets_a_clear_error(gql, token, hall, query, variables, code, says):
    r = gql(query, {"h": hall, **variables}, token=token(Role.PLATFORM_OPERATOR))
    assert codes(r) == [code], r.text
    assert says in r.json()["errors"][0]["message"]


def test_a_year_of_daily_activity_is_allowed(gql, token, hall):
    first = date(2025, 3, 2)
    assert _hall(gql, token, hall, (first, first + timedelta(days=365)))["dailyActivity"] == []


def _as_worker(conn: psycopg.Connection[Any]) -> None:
    """The gateway's worker role, counting its statements."""
    conn.autocommit = True
    conn.execute("SET ROLE yanshen_worker")
    conn.cursor_factory = CountingCursor


@pytest.fixture
def counting_server(platform, database_url):
    pool = psycopg_pool.ConnectionPool(
        database_url, min_size=1, max_size=4, configure=_as_worker, open=False
    )
    pool.open(wait=True)
    with Server(create_app(dataclasses.replace(platform, worker_pool=pool))) as server:
        yield server
    pool.close()


def test_a_page_of_halls_reads_lag_and_deadlines_in_one_batch(
    gql, token, hall, counting_server, project
):
    for extra in ("c", "d", "e"):
        registered = gql(
            REGISTER, {"id": f"{hall}-{extra}", "name": "大厅"}, token=token(Role.PLATFORM_OPERATOR)
        )
        assert "errors" not in registered.json(), registered.text
    project()
    cost = {}
    for size in (2, 4):
        CountingCursor.statements.clear()
        r = counting_server.gql(DETAILS, {"n": size}, token=token(Role.PLATFORM_OPERATOR)).json()
        assert "errors" not in r, r
        edges = r["data"]["platformOverview"]["halls"]["edges"]
        assert len(edges) == size
        assert all(e["node"]["projectionLag"] for e in edges)
        cost[size] = len(CountingCursor.statements)
    # halls: projections + overview; lag (one loader batch): projections + lag; deadlines: 1
    assert cost[2] == cost[4] <= 5
