"""Limits through a real server: query shape, body size, page size, rate, introspection."""

from __future__ import annotations

import httpx
import pytest

from gateway.auth import Role
from gateway.relay import GlobalId
from tests.e2e.gateway.conftest import codes

DEEP = "query($h: String!) { serviceItems(hallId: $h) { edges { node { hall { name } } } } }"


def test_a_query_deeper_than_the_limit_is_refused(serve, hall):
    server = serve(max_query_depth=3)
    assert codes(server.gql(DEEP, {"h": hall})) == ["VALIDATION"]
    shallow = "query($h: String!) { serviceItems(hallId: $h) { edges { node { code } } } }"
    assert "errors" not in server.gql(shallow, {"h": hall}).json()


def test_a_query_with_too_many_tokens_is_refused(serve, hall):
    server = serve(max_query_tokens=40)
    fields = " ".join(["code name category"] * 10)
    q = f'query {{ serviceCatalog(hallId: "{hall}") {{ {fields} }} }}'
    r = server.gql(q)
    assert codes(r) == ["VALIDATION"]
    assert "token" in r.json()["errors"][0]["message"].lower()


def test_too_many_aliases_are_refused(gql, hall):
    aliases = " ".join(f'a{i}: serviceCatalog(hallId: "{hall}") {{ code }}' for i in range(31))
    assert codes(gql(f"query {{ {aliases} }}")) == ["VALIDATION"]


def test_an_oversized_body_is_refused_with_413(serve):
    server = serve(max_body_bytes=2_000)
    r = httpx.post(
        f"{server.url}/graphql",
        json={"query": "query { __typename }", "variables": {"pad": "x" * 3_000}},
        timeout=10,
    )
    assert r.status_code == 413


def test_page_size_is_capped(gql, hall, publish, project):
    publish(hall, *(f"P{i:02d}" for i in range(3)))
    project()
    q = "query($h: String!, $n: Int) { serviceItems(hallId: $h, first: $n) { edges { cursor } } }"
    assert codes(gql(q, {"h": hall, "n": 101})) == ["VALIDATION"]
    assert codes(gql(q, {"h": hall, "n": -1})) == ["VALIDATION"]
    assert len(gql(q, {"h": hall, "n": 100}).json()["data"]["serviceItems"]["edges"]) == 3
    ids = [str(GlobalId("ServiceItem", hall, f"P{i}")) for i in range(101)]
    r = gql("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ids})
    assert codes(r) == ["VALIDATION"]


def test_the_rate_limit_is_per_token_with_retry_after(serve, token, hall):
    # One token a minute refills the bucket: a slow, loaded machine cannot refill it mid-test.
    server = serve(rate_limit_per_minute=1, rate_limit_burst=3)
    q = "query { hall { hallId } }"
    alice, bob = token(Role.STAFF, hall, subject="alice"), token(Role.STAFF, hall, subject="bob")
    for _ in range(3):
        assert server.gql(q, token=alice).status_code == 200
    limited = server.gql(q, token=alice)
    assert limited.status_code == 429
    assert codes(limited) == ["RATE_LIMITED"]
    assert int(limited.headers["retry-after"]) >= 1
    assert limited.json()["errors"][0]["extensions"]["requestId"]
    assert server.gql(q, token=bob).status_code == 200  # another caller has their own budget


def test_anonymous_callers_can_be_limited_by_address(serve):
    server = serve(rate_limit_anonymous_per_minute=1, rate_limit_burst=2)
    statuses = [server.gql("query { __typename }").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_the_limit_can_be_turned_off(serve):
    server = serve(rate_limit_per_minute=0, rate_limit_burst=1)
    assert {server.gql("query { __typename }").status_code for _ in range(5)} == {200}


INTROSPECTION = "query { __schema { queryType { name } } }"


def test_introspection_and_graphiql_are_on_by_default(gql, gateway_url):
    assert gql(INTROSPECTION).json() == {"data": {"__schema": {"queryType": {"name": "Query"}}}}
    page = httpx.get(f"{gateway_url}/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()


@pytest.mark.parametrize("query", [INTROSPECTION, 'query { __type(name: "Query") { name } }'])
def test_introspection_can_be_turned_off(serve, query):
    server = serve(introspection=False)
    refused = codes(server.gql(query))
    assert refused
    assert set(refused) == {"VALIDATION"}
    assert server.gql("query { __typename }").json() == {"data": {"__typename": "Query"}}


def test_graphiql_can_be_turned_off(serve):
    server = serve(graphiql=False)
    page = httpx.get(f"{server.url}/graphql", headers={"Accept": "text/html"})
    assert "graphiql" not in page.text.lower()
    assert page.status_code in {400, 404}
