"""GraphQL over HTTP from a client's point of view: methods, content types, status codes."""

from __future__ import annotations

import httpx
import pytest

from gateway.auth import Role


@pytest.fixture
def http(gateway_url):
    with httpx.Client(base_url=gateway_url, timeout=30) as client:
        yield client


def test_queries_work_over_get(http, hall):
    r = http.get(
        "/graphql",
        params={
            "query": "query($h: String!) { serviceCatalog(hallId: $h) { code } }",
            "variables": f'{{"h": "{hall}"}}',
        },
    )
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    assert r.json() == {"data": {"serviceCatalog": []}}


def test_mutations_are_refused_over_get(http, token, hall):
    r = http.get(
        "/graphql",
        params={"query": 'mutation { withdrawServiceItem(code: "X", reason: "r") { code } }'},
        headers={"Authorization": f"Bearer {token(Role.HALL_ADMIN, hall)}"},
    )
    assert r.status_code == 405
    assert r.json()["errors"][0]["extensions"]["code"] == "VALIDATION"


def test_a_post_answers_json_with_200_even_with_graphql_errors(http):
    r = http.post("/graphql", json={"query": "query { noSuchField }"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    assert r.json()["errors"][0]["extensions"]["code"] == "VALIDATION"
    assert r.json().get("data") is None


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"{not json", "application/json"),
        (b'{"variables": {}}', "application/json"),  # no query
        (b'{"query": "{ __typename }", "variables": [1]}', "application/json"),
        (b"{ __typename }", "text/plain"),
    ],
    ids=["malformed-json", "no-query", "variables-not-an-object", "unsupported-type"],
)
def test_malformed_requests_are_4xx(http, content, content_type):
    r = http.post("/graphql", content=content, headers={"Content-Type": content_type})
    assert 400 <= r.status_code < 500, r.text
    (error,) = r.json()["errors"]  # coded like any other error, with the request id
    assert (error["extensions"]["code"], error["extensions"]["requestId"]) == (
        "VALIDATION",
        r.headers["x-request-id"],
    )


def test_the_operation_name_picks_one_of_several_operations(http):
    query = "query A { a: __typename } query B { b: __typename }"
    r = http.post("/graphql", json={"query": query, "operationName": "B"})
    assert r.json() == {"data": {"b": "Query"}}
    r = http.post("/graphql", json={"query": query, "operationName": "C"})
    assert r.status_code == 400


def test_every_response_carries_a_request_id(http):
    r = http.post("/graphql", json={"query": "{ __typename }"}, headers={"X-Request-Id": "abc-1"})
    assert r.headers["x-request-id"] == "abc-1"
    assert len(http.get("/health").headers["x-request-id"]) == 32


def test_unknown_paths_are_404(http):
    assert http.get("/no-such-path").status_code == 404
