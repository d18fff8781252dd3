"""Relay connections, node lookups and dataloaders: pages, cursors, bounded SQL per request."""

from __future__ import annotations

import threading
import uuid
from typing import Any, ClassVar

import httpx
import psycopg
import psycopg_pool
import pytest

from gateway.auth import Role, issue_token
from gateway.relay import GlobalId
from tests.conftest import TEST_SETTINGS
from tests.e2e.gateway.conftest import PUBLISH, REGISTER, codes

PAGE = """query($h: String!, $n: Int, $after: String) {
  serviceItems(hallId: $h, first: $n, after: $after) {
    edges { cursor node { id code hall { hallId name } } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""
NODES = """query($ids: [ID!]!) {
  nodes(ids: $ids) { id ... on ServiceItem { code hall { name } } }
}"""


class CountingCursor(psycopg.Cursor[Any]):
    """Counts the statements the gateway sends (the test's probe into the pool)."""

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


@pytest.fixture(scope="module")
def counting_pool(database_url):
    pool = psycopg_pool.ConnectionPool(
        database_url, min_size=1, max_size=4, configure=_configure, open=False
    )
    pool.open(wait=True)
    yield pool
    pool.close()


@pytest.fixture(scope="module")
def hundred_items(gateway_url, projection_worker):
    """A hall with 100 published items (module-wide: the tests only read it)."""
    hall = f"hall-{uuid.uuid4().hex[:12]}"
    with httpx.Client(base_url=gateway_url, timeout=30) as client:

        def call(query: str, variables: dict[str, Any], role: Role, tenant: str | None) -> None:
            jwt = issue_token(TEST_SETTINGS, subject="u", role=role, tenant=tenant)
            auth = {"Authorization": f"Bearer {jwt}"}
            r = client.post("/graphql", json={"query": query, "variables": variables}, headers=auth)
            assert "errors" not in r.json(), r.text

        call(REGISTER, {"id": hall, "name": "测试大厅"}, Role.PLATFORM_OPERATOR, None)
        for i in range(100):
            call(PUBLISH, {"code": f"ITEM-{i:03d}", "name": f"事项 {i}"}, Role.HALL_ADMIN, hall)
    projection_worker.run_once()
    return hall


def _count(server, query, variables):
    CountingCursor.statements.clear()
    r = server.gql(query, variables)
    assert "errors" not in r.json(), r.text
    return r.json()["data"], len(CountingCursor.statements)


def test_a_page_of_100_items_with_their_hall_costs_as_few_queries_as_a_page_of_10(
    serve, counting_pool, hundred_items
):
    server = serve(app_pool=counting_pool)
    small, small_cost = _count(server, PAGE, {"h": hundred_items, "n": 10})
    large, large_cost = _count(server, PAGE, {"h": hundred_items, "n": 100})
    assert len(small["serviceItems"]["edges"]) == 10
    assert len(large["serviceItems"]["edges"]) == 100
    assert {e["node"]["hall"]["name"] for e in large["serviceItems"]["edges"]} == {"测试大厅"}
    # items: tenant + select; halls (one loader batch): tenant + select
    assert small_cost == large_cost <= 4


def test_100_node_lookups_are_one_batch(serve, counting_pool, hundred_items):
    server = serve(app_pool=counting_pool)
    ids = [str(GlobalId("ServiceItem", hundred_items, f"ITEM-{i:03d}")) for i in range(100)]
    data, cost = _count(server, NODES, {"ids": ids})
    assert [n["code"] for n in data["nodes"]] == [f"ITEM-{i:03d}" for i in range(100)]
    assert cost <= 4


def test_pages_follow_each_other_by_cursor(gql, hundred_items):
    codes_seen: list[str] = []
    after = None
    pages = 0
    while True:
        r = gql(PAGE, {"h": hundred_items, "n": 30, "after": after}).json()
        connection = r["data"]["serviceItems"]
        codes_seen += [e["node"]["code"] for e in connection["edges"]]
        assert connection["pageInfo"]["hasPreviousPage"] is (after is not None)
        assert connection["pageInfo"]["endCursor"] == connection["edges"][-1]["cursor"]
        pages += 1
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert pages == 4
    assert codes_seen == [f"ITEM-{i:03d}" for i in range(100)]


def test_the_default_page_size_applies(gql, hundred_items):
    r = gql(PAGE, {"h": hundred_items}).json()
    assert len(r["data"]["serviceItems"]["edges"]) == 20
    assert r["data"]["serviceItems"]["pageInfo"]["hasNextPage"] is True


def test_a_forged_cursor_is_a_validation_error(gql, hall):
    assert codes(gql(PAGE, {"h": hall, "after": "%%%"})) == ["VALIDATION"]
    assert codes(gql(PAGE, {"h": hall, "after": "e30"})) == ["VALIDATION"]  # {} is no key


def test_node_ids_are_the_items_ids(gql, hundred_items):
    r = gql(PAGE, {"h": hundred_items, "n": 1}).json()
    node = r["data"]["serviceItems"]["edges"][0]["node"]
    assert GlobalId.parse(node["id"]) == GlobalId("ServiceItem", hundred_items, "ITEM-000")
    found = gql("query($id: ID!) { node(id: $id) { id } }", {"id": node["id"]}).json()
    assert found["data"]["node"]["id"] == node["id"]


def test_nodes_of_another_hall_are_null_but_public_ones_are_found(gql, token, hall, other_hall):
    ids = [
        str(GlobalId("Hall", other_hall, other_hall)),
        str(GlobalId("Hall", hall, hall)),
        str(GlobalId("NoSuchType", hall, "x")),
    ]
    r = gql(
        "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
        {"ids": ids},
        token=token(Role.STAFF, hall),
    )
    assert r.json()["data"]["nodes"][0] is None
    assert r.json()["data"]["nodes"][2] is None
