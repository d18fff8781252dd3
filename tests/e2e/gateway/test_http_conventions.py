"""GraphQL over HTTP from a client's point of view: methods, content types, status codes."""

from __future__ import annotations

import json

import httpx
import pytest

from gateway.auth import Role
from gateway.subscriptions import log_head


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
        (b'"query"', "application/json"),
        (b"null", "application/json"),
        (b"1", "application/json"),
        (b'{"query": "\xff"}', "application/json"),
        (
            b'{"query": "{ __typename }", "variables": {"f": 1' + b"0" * 5000 + b"}}",
            "application/json",
        ),
    ],
    ids=[
        "malformed-json",
        "no-query",
        "variables-not-an-object",
        "unsupported-type",
        "a-json-string",
        "json-null",
        "a-json-number",
        "not-utf-8",
        "a-5000-digit-number",
    ],
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


LONE_SURROGATE = "A\ud800"  # valid JSON ("\ud800"), but no Unicode character


@pytest.mark.parametrize(
    "request_body",
    [
        {
            "query": "query($s: String) { complaints(filter: {staff: $s}) { edges { cursor } } }",
            "variables": {"s": LONE_SURROGATE},
        },
        {"query": "query { __typename }", "operationName": LONE_SURROGATE},
        {
            "query": "mutation($c: String!) {"
            ' publishServiceItem(input: {code: $c, name: "n", category: OTHER}) { code } }',
            "variables": {"c": LONE_SURROGATE},
        },
    ],
    ids=["in-a-filter", "as-the-operation-name", "in-a-command"],
)
def test_text_that_is_not_unicode_is_refused_before_it_runs(
    http, token, hall, platform, request_body
):
    """A lone surrogate cannot be hashed into an id, sent to PostgreSQL or encoded as UTF-8:
    refused as input, never an internal error (and never a 500); nothing recorded."""
    body = json.dumps(request_body).encode()  # ensure_ascii: the surrogate as \ud800
    admin = token(Role.HALL_ADMIN, hall)
    before = log_head(platform.app_pool, hall)
    r = http.post(
        "/graphql",
        content=body,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {admin}"},
    )
    assert r.status_code in (200, 400), r.text
    assert [e["extensions"]["code"] for e in r.json()["errors"]] == ["VALIDATION"], r.text
    assert log_head(platform.app_pool, hall) == before


def test_a_subscription_over_http_is_refused(http):
    r = http.post("/graphql", json={"query": "subscription { hallLog { position } }"})
    assert [e["extensions"]["code"] for e in r.json()["errors"]] == ["VALIDATION"], r.text
    assert "WebSocket" in r.json()["errors"][0]["message"]
