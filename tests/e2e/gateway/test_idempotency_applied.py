"""Idempotency-Key across a crash: a request whose events committed is never applied twice.

The gateway of these tests runs in this process, so a crash is simulated where it matters:
the first request claims its key and runs through the real extension and application, then
its process "dies" before the response is stored (nothing stored or released), and the
claim is aged past ``STALE_SECONDS`` as the client's later retry would find it.
"""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
import strawberry
from strawberry.tools import merge_types

from gateway.auth import Role
from gateway.context import Info, run_sync
from gateway.idempotency import store
from gateway.schema import GatewaySchema, Mutation, Query, Subscription, build_schema
from gateway.security import allow
from gateway.subscriptions import log_head
from services.complaints import ANONYMOUS_COMPLAINANT, ComplaintDetails, ComplaintService
from services.store.session import TenantSession
from tests.conftest import TEST_SETTINGS
from tests.e2e.gateway.conftest import codes

RECEIVE = """mutation($facts: String!) {
  receiveComplaint(input: {channel: IN_PERSON, facts: $facts, anonymous: true}) { id }
}"""
SUBJECT = "citizen-1"


def _details(facts: str) -> ComplaintDetails:
    return ComplaintDetails(channel="IN_PERSON", facts=facts, anonymous=True)


@strawberry.type
class SeveralSaves:
    @allow(Role.APPLICANT)
    @strawberry.mutation
    async def receive_two_complaints(self, info: Info, facts: str) -> int:
        """Two saves, so two appends in one request."""
        hall = info.context.principal.require_hall(Role.APPLICANT)
        app = info.context.platform.hall_app(ComplaintService, hall)
        await run_sync(app.receive_complaint, _details(facts), ANONYMOUS_COMPLAINANT)
        await run_sync(app.receive_complaint, _details(facts), ANONYMOUS_COMPLAINANT)
        return 2

    @allow(Role.APPLICANT)
    @strawberry.mutation
    async def receive_complaint_then_fail(self, info: Info, facts: str) -> int:
        """Commits its event, then fails with a bug (``INTERNAL``)."""
        hall = info.context.principal.require_hall(Role.APPLICANT)
        app = info.context.platform.hall_app(ComplaintService, hall)
        await run_sync(app.receive_complaint, _details(facts), ANONYMOUS_COMPLAINANT)
        raise RuntimeError("a bug after the commit")


@pytest.fixture
def several(serve):
    base = build_schema(TEST_SETTINGS)
    schema = GatewaySchema(
        query=Query,
        mutation=merge_types("Mutation", (Mutation, SeveralSaves)),
        subscription=Subscription,
        extensions=base.extensions,
    )
    return serve(schema=schema)


def _nothing(*args: Any, **kwargs: Any) -> None:
    return None


def _connection_lost(*args: Any, **kwargs: Any) -> list[int]:
    raise psycopg.OperationalError("server closed the connection unexpectedly")


def _dies_before_storing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The gateway process dies after running the request: nothing is stored or released."""
    monkeypatch.setattr(store, "complete", _nothing)
    monkeypatch.setattr(store, "release", _nothing)


def _claim_left_by_a_crash(platform, hall: str, key: str, *, drop_response: bool = False) -> None:
    """Age the key's claim past STALE_SECONDS (and drop its response: never stored)."""
    with platform.worker_pool.connection() as conn:
        changed = conn.execute(
            "UPDATE idempotency_keys SET created_at = created_at - make_interval(secs => %s)"
            + (", response = NULL, completed_at = NULL" if drop_response else "")
            + " WHERE tenant_id = %s AND principal = %s AND key = %s AND"
            + (" response IS NOT NULL" if drop_response else " response IS NULL"),
            (store.STALE_SECONDS + 1, hall, SUBJECT, key),
        ).rowcount
    assert changed == 1


def _applied(platform, hall: str, key: str) -> list[tuple[Any, ...]]:
    with platform.worker_pool.connection() as conn:
        return conn.execute(
            "SELECT log_id, position FROM idempotency_applied "
            "WHERE tenant_id = %s AND principal = %s AND key = %s",
            (hall, SUBJECT, key),
        ).fetchall()


def _without_request_id(response) -> list[dict[str, Any]]:
    errors = response.json()["errors"]
    return [{**e, "extensions": {**e["extensions"], "requestId": None}} for e in errors]


def test_a_retry_after_a_crash_once_the_events_committed_is_not_applied_again(
    gql, token, hall, platform, monkeypatch
):
    applicant = token(Role.APPLICANT, hall, subject=SUBJECT)
    key = {"Idempotency-Key": "crash-after-commit"}
    before = log_head(platform.app_pool, hall)
    _dies_before_storing(monkeypatch)
    gql(RECEIVE, {"facts": "等候过久"}, token=applicant, headers=key)  # the answer is lost
    monkeypatch.undo()  # the gateway restarted
    applied = log_head(platform.app_pool, hall)
    assert applied > before
    _claim_left_by_a_crash(platform, hall, "crash-after-commit")

    retry = gql(RECEIVE, {"facts": "等候过久"}, token=applicant, headers=key)
    assert codes(retry) == ["ALREADY_APPLIED"], retry.text
    assert retry.json()["data"] is None
    error = retry.json()["errors"][0]
    assert error["extensions"]["position"] == before + 1
    assert error["extensions"]["logId"] == hall
    assert f"position {before + 1} of hall {hall}" in error["message"]
    assert retry.headers["idempotent-replayed"] == "true"
    assert log_head(platform.app_pool, hall) == applied  # no second complaint

    again = gql(RECEIVE, {"facts": "等候过久"}, token=applicant, headers=key)
    assert _without_request_id(again) == _without_request_id(retry)  # a stable answer
    assert log_head(platform.app_pool, hall) == applied


def test_a_retry_after_a_crash_before_the_events_committed_runs_the_request(
    gql, token, hall, platform, monkeypatch
):
    applicant = token(Role.APPLICANT, hall, subject=SUBJECT)
    key = {"Idempotency-Key": "crash-before-commit"}
    before = log_head(platform.app_pool, hall)
    _dies_before_storing(monkeypatch)
    monkeypatch.setattr(TenantSession, "append", _connection_lost)  # dies before the commit
    gql(RECEIVE, {"facts": "无人引导"}, token=applicant, headers=key)
    monkeypatch.undo()
    assert log_head(platform.app_pool, hall) == before
    _claim_left_by_a_crash(platform, hall, "crash-before-commit")

    retry = gql(RECEIVE, {"facts": "无人引导"}, token=applicant, headers=key)
    assert "errors" not in retry.json(), retry.text
    assert "idempotent-replayed" not in retry.headers
    assert log_head(platform.app_pool, hall) > before
    assert _applied(platform, hall, "crash-before-commit") == [(hall, before + 1)]
    again = gql(RECEIVE, {"facts": "无人引导"}, token=applicant, headers=key)
    assert again.json() == retry.json()
    assert again.headers["idempotent-replayed"] == "true"


def test_an_unavailable_database_keeps_nothing_so_the_retry_runs(
    gql, token, hall, platform, monkeypatch
):
    applicant = token(Role.APPLICANT, hall, subject=SUBJECT)
    key = {"Idempotency-Key": "unavailable"}
    before = log_head(platform.app_pool, hall)
    monkeypatch.setattr(TenantSession, "append", _connection_lost)
    first = gql(RECEIVE, {"facts": "排队混乱"}, token=applicant, headers=key)
    monkeypatch.undo()
    assert codes(first) == ["UNAVAILABLE"]
    assert log_head(platform.app_pool, hall) == before

    retry = gql(RECEIVE, {"facts": "排队混乱"}, token=applicant, headers=key)
    assert "errors" not in retry.json(), retry.text
    assert log_head(platform.app_pool, hall) > before


def test_requests_without_a_key_record_none(gql, token, hall, platform):
    applicant = token(Role.APPLICANT, hall, subject=SUBJECT)
    before = log_head(platform.app_pool, hall)
    for _ in range(2):
        r = gql(RECEIVE, {"facts": "等候过久"}, token=applicant)
        assert "errors" not in r.json(), r.text
    assert log_head(platform.app_pool, hall) > before + 1  # both ran
    with platform.worker_pool.connection() as conn:
        rows = conn.execute(
            "SELECT count(*) FROM idempotency_applied WHERE log_id = %s", (hall,)
        ).fetchone()
    assert rows == (0,)


def test_a_request_of_several_saves_records_its_key_once(several, token, hall, platform):
    applicant = token(Role.APPLICANT, hall, subject=SUBJECT)
    mutation = 'mutation { receiveTwoComplaints(facts: "两次") }'
    key = {"Idempotency-Key": "two-saves"}
    before = log_head(platform.app_pool, hall)
    first = several.gql(mutation, token=applicant, headers=key)
    assert first.json() == {"data": {"receiveTwoComplaints": 2}}, first.text
    applied = log_head(platform.app_pool, hall)
    assert applied >= before + 2
    assert _applied(platform, hall, "two-saves") == [(hall, before + 1)]

    _claim_left_by_a_crash(platform, hall, "two-saves", drop_response=True)
    retry = several.gql(mutation, token=applicant, headers=key)
    assert codes(retry) == ["ALREADY_APPLIED"], retry.text
    assert retry.json()["errors"][0]["extensions"]["position"] == before + 1
    assert log_head(platform.app_pool, hall) == applied


def test_a_request_that_fails_after_its_commit_is_not_applied_again(several, token, hall, platform):
    applicant = token(Role.APPLICANT, hall, subject=SUBJECT)
    mutation = 'mutation { receiveComplaintThenFail(facts: "提交后出错") }'
    key = {"Idempotency-Key": "fails-after-commit"}
    before = log_head(platform.app_pool, hall)
    first = several.gql(mutation, token=applicant, headers=key)
    assert codes(first) == ["INTERNAL"]
    applied = log_head(platform.app_pool, hall)
    assert applied > before

    retry = several.gql(mutation, token=applicant, headers=key)  # at once: nothing is stale
    assert codes(retry) == ["ALREADY_APPLIED"], retry.text
    assert retry.json()["errors"][0]["extensions"]["position"] == before + 1
    assert log_head(platform.app_pool, hall) == applied
