"""Idempotency-Key: a first request still running when a retry takes its claim over (after
``STALE_SECONDS``) is fenced off; it answers ``SUPERSEDED`` having recorded nothing, and the
retry's answer is the request's. Over HTTP, through the real extension and application; the
first request is held inside its resolver until the retry has run."""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx
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
from tests.conftest import TEST_SETTINGS
from tests.e2e.gateway.conftest import codes

SUBJECT = "citizen-1"
SLOW = 'mutation { receiveComplaintSlowly(facts: "等候过久") }'
_first_may_go = threading.Event()
_calls: list[int] = []


@strawberry.type
class SlowSave:
    @allow(Role.APPLICANT)
    @strawberry.mutation
    async def receive_complaint_slowly(self, info: Info, facts: str) -> str:
        """Receives a complaint; the first call waits to be let go before it saves."""
        _calls.append(1)
        if len(_calls) == 1:
            await run_sync(_first_may_go.wait, 20)
        hall = info.context.principal.require_hall(Role.APPLICANT)
        app = info.context.platform.hall_app(ComplaintService, hall)
        details = ComplaintDetails(channel="IN_PERSON", facts=facts, anonymous=True)
        return str(await run_sync(app.receive_complaint, details, ANONYMOUS_COMPLAINANT))


@pytest.fixture
def slow(serve):
    _first_may_go.clear()
    _calls.clear()
    base = build_schema(TEST_SETTINGS)
    schema = GatewaySchema(
        query=Query,
        mutation=merge_types("Mutation", (Mutation, SlowSave)),
        subscription=Subscription,
        extensions=base.extensions,
    )
    yield serve(schema=schema)
    _first_may_go.set()


def _lease_runs_out(platform, hall: str, key: str) -> None:
    """The first request's claim is older than STALE_SECONDS (its time set back)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with platform.worker_pool.connection() as conn:
            changed = conn.execute(
                "UPDATE idempotency_keys SET created_at = created_at - make_interval(secs => %s)"
                " WHERE tenant_id = %s AND principal = %s AND key = %s AND response IS NULL",
                (store.STALE_SECONDS + 1, hall, SUBJECT, key),
            ).rowcount
        if changed and _calls:
            return
        time.sleep(0.02)
    raise AssertionError("the first request never claimed its key")


def test_a_first_request_taken_over_by_its_retry_records_nothing(slow, token, hall, platform):
    applicant = token(Role.APPLICANT, hall, subject=SUBJECT)
    key = {"Idempotency-Key": "slow-first"}
    before = log_head(platform.app_pool, hall)
    answers: list[httpx.Response] = []
    first = threading.Thread(
        target=lambda: answers.append(slow.gql(SLOW, token=applicant, headers=key))
    )
    first.start()
    try:
        _lease_runs_out(platform, hall, "slow-first")
        retry = slow.gql(SLOW, token=applicant, headers=key)  # takes the claim over, runs
    finally:
        _first_may_go.set()
        first.join(20)
    assert "errors" not in retry.json(), retry.text
    assert log_head(platform.app_pool, hall) == before + 1  # the retry's complaint only

    (superseded,) = answers
    assert codes(superseded) == ["SUPERSEDED"], superseded.text
    assert superseded.json()["data"] is None
    error: dict[str, Any] = superseded.json()["errors"][0]
    assert "took it over" in error["message"]
    assert log_head(platform.app_pool, hall) == before + 1  # nothing more

    again = slow.gql(SLOW, token=applicant, headers=key)
    assert again.json() == retry.json()  # the retry's answer is the request's
    assert again.headers["idempotent-replayed"] == "true"
