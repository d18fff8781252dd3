"""Errors through a real server: stable codes, no SQL or stack traces, logged request ids."""

from __future__ import annotations

import logging

import httpx
import pytest
import strawberry
from strawberry.tools import merge_types

from gateway.context import Info
from gateway.schema import GatewaySchema, Mutation, Query, Subscription, build_schema
from gateway.security import PUBLIC, allow
from tests.conftest import TEST_SETTINGS
from tests.e2e.gateway.conftest import codes


@strawberry.type
class BrokenQueries:
    @allow(PUBLIC)
    @strawberry.field
    def broken_sql(self, info: Info) -> int:
        with info.context.platform.app_pool.connection() as conn:
            conn.execute("SELECT secret_column FROM no_such_secret_table WHERE pin = '1234'")
        return 1

    @allow(PUBLIC)
    @strawberry.field
    def broken_code(self) -> int | None:
        return {}["key-that-is-not-there"]  # type: ignore[index]


@pytest.fixture
def broken(serve):
    base = build_schema(TEST_SETTINGS)
    schema = GatewaySchema(
        query=merge_types("Query", (Query, BrokenQueries)),
        mutation=Mutation,
        subscription=Subscription,
        extensions=base.extensions,
    )
    return serve(schema=schema)


@pytest.mark.parametrize("field", ["brokenSql", "brokenCode"])
def test_an_internal_error_leaks_nothing_and_is_logged_with_the_request_id(broken, caplog, field):
    with caplog.at_level(logging.ERROR, logger="yanshen.gateway"):
        r = broken.gql(f"query {{ {field} }}", headers={"X-Request-Id": f"req-{field}"})
    assert r.status_code == 200
    assert codes(r) == ["INTERNAL"]
    error = r.json()["errors"][0]
    assert error["message"] == f"internal error; quote request id req-{field} to the operator"
    assert error["extensions"] == {"code": "INTERNAL", "requestId": f"req-{field}"}
    assert r.headers["x-request-id"] == f"req-{field}"
    for secret in ("no_such_secret_table", "SELECT", "pin", "Traceback", "key-that-is-not-there"):
        assert secret not in r.text
    logged = [rec for rec in caplog.records if f"req-{field}" in rec.getMessage()]
    assert len(logged) == 1
    assert logged[0].exc_info is not None  # the log has the rest: type, text, stack


def test_a_request_without_an_id_gets_one_in_the_error_and_the_header(broken, caplog):
    with caplog.at_level(logging.ERROR, logger="yanshen.gateway"):
        r = broken.gql("query { brokenSql }")
    request_id = r.json()["errors"][0]["extensions"]["requestId"]
    assert r.headers["x-request-id"] == request_id
    assert any(request_id in rec.getMessage() for rec in caplog.records)


def test_an_unusable_request_id_header_is_replaced(broken):
    r = broken.gql("query { brokenCode }", headers={"X-Request-Id": "bad id\twith spaces"})
    assert r.json()["errors"][0]["extensions"]["requestId"] != "bad id\twith spaces"


def test_a_partial_failure_keeps_the_other_fields(broken, hall):
    r = broken.gql(f'query {{ brokenCode serviceCatalog(hallId: "{hall}") {{ code }} }}')
    assert r.json()["data"] == {"brokenCode": None, "serviceCatalog": []}
    assert codes(r) == ["INTERNAL"]
    assert r.json()["errors"][0]["path"] == ["brokenCode"]


@pytest.mark.parametrize(
    ("variables", "query"),
    [
        ({"h": 5}, "query($h: String!) { serviceCatalog(hallId: $h) { code } }"),
        ({}, "query($h: String!) { serviceCatalog(hallId: $h) { code } }"),
        ({"h": "Not A Slug!"}, "query($h: String!) { serviceCatalog(hallId: $h) { code } }"),
    ],
)
def test_bad_variables_are_validation_errors(gql, variables, query):
    assert codes(gql(query, variables)) == ["VALIDATION"]


def test_codes_are_counted_in_the_metrics(broken, gateway_url):
    broken.gql("query { brokenCode }")
    text = httpx.get(f"{broken.url}/metrics").text
    assert 'yanshen_graphql_errors_total{code="INTERNAL"}' in text
