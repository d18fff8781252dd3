"""Idempotency-Key on mutations: retries replay the first response and record nothing."""

from __future__ import annotations

import concurrent.futures

from gateway.auth import Role
from gateway.subscriptions import log_head
from tests.e2e.gateway.conftest import PUBLISH, codes


def _publish(gql, token, key, code="IDEM-1", name="帮办代办"):
    return gql(PUBLISH, {"code": code, "name": name}, token=token, headers={"Idempotency-Key": key})


def test_a_retry_returns_the_first_response_and_records_nothing(gql, token, hall, platform):
    admin = token(Role.HALL_ADMIN, hall)
    first = _publish(gql, admin, "k-1")
    assert first.json() == {"data": {"publishServiceItem": {"code": "IDEM-1"}}}
    head = log_head(platform.app_pool, hall)
    again = _publish(gql, admin, "k-1")
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert log_head(platform.app_pool, hall) == head


def test_without_a_key_a_retry_runs_again(gql, token, hall):
    admin = token(Role.HALL_ADMIN, hall)
    assert "errors" not in gql(PUBLISH, {"code": "K0", "name": "x"}, token=admin).json()
    assert codes(gql(PUBLISH, {"code": "K0", "name": "x"}, token=admin)) == ["CONFLICT"]


def test_an_error_response_is_replayed_with_its_code(gql, token, hall, platform):
    admin = token(Role.HALL_ADMIN, hall)
    bad = _publish(gql, admin, "k-bad", code="bad code!")
    again = _publish(gql, admin, "k-bad", code="bad code!")
    assert codes(bad) == codes(again) == ["VALIDATION"]
    assert again.json()["errors"][0]["message"] == bad.json()["errors"][0]["message"]
    assert (
        again.json()["errors"][0]["extensions"]["requestId"]
        != (bad.json()["errors"][0]["extensions"]["requestId"])
    )


def test_the_same_key_with_a_different_request_is_a_conflict(gql, token, hall, platform):
    admin = token(Role.HALL_ADMIN, hall)
    _publish(gql, admin, "k-2", code="A1")
    head = log_head(platform.app_pool, hall)
    r = _publish(gql, admin, "k-2", code="A2")
    assert codes(r) == ["CONFLICT"]
    assert "different request" in r.json()["errors"][0]["message"]
    assert log_head(platform.app_pool, hall) == head


def test_keys_are_per_caller_and_per_hall(gql, token, hall, other_hall):
    first = _publish(gql, token(Role.HALL_ADMIN, hall, subject="alice"), "shared", code="S1")
    other_admin = _publish(gql, token(Role.HALL_ADMIN, hall, subject="bob"), "shared", code="S2")
    other_hall_admin = _publish(
        gql, token(Role.HALL_ADMIN, other_hall, subject="alice"), "shared", code="S1"
    )
    for r in (first, other_admin, other_hall_admin):
        assert "errors" not in r.json(), r.text
        assert "idempotent-replayed" not in r.headers


def test_concurrent_duplicates_run_once(gql, token, hall, platform):
    admin = token(Role.HALL_ADMIN, hall)
    head = log_head(platform.app_pool, hall)
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(lambda _: _publish(gql, admin, "k-race", code="RACE"), range(8)))
    assert [r.json() for r in responses] == [{"data": {"publishServiceItem": {"code": "RACE"}}}] * 8
    assert sum(r.headers.get("idempotent-replayed") == "true" for r in responses) == 7
    assert log_head(platform.app_pool, hall) == head + 1


def test_keys_on_queries_are_ignored_and_bad_keys_refused(gql, token, hall):
    q = 'query { serviceCatalog(hallId: "demo") { code } }'
    assert "errors" not in gql(q, headers={"Idempotency-Key": "k"}).json()
    admin = token(Role.HALL_ADMIN, hall)
    assert codes(_publish(gql, admin, "has spaces")) == ["VALIDATION"]
    assert codes(_publish(gql, admin, "x" * 256)) == ["VALIDATION"]


def test_anonymous_callers_cannot_use_keys(gql, hall):
    r = gql(PUBLISH, {"code": "X", "name": "x"}, headers={"Idempotency-Key": "k"})
    assert codes(r) == ["VALIDATION"]
