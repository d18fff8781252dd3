"""Every operation over a WebSocket is admitted like an HTTP request: token expiry, rate limit."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import jwt
import pytest

from gateway.auth import Role, issue_token
from tests.conftest import TEST_SETTINGS
from tests.e2e.gateway.test_subscriptions import CATALOG, HALL_LOG, Client, ws_url

PUBLISH = """mutation { publishServiceItem(input: {code: "LATE", name: "after expiry",
  category: ASSISTANCE}) { code } }"""
HALL = "{ hall { hallId } }"
TYPENAME = "{ __typename }"


def short_token(role: Role, hall: str, ttl_seconds: int) -> tuple[str, float]:
    """A token of ``ttl_seconds`` and its ``exp``."""
    token = issue_token(
        TEST_SETTINGS, subject="short", role=role, tenant=hall, ttl_seconds=ttl_seconds
    )
    return token, float(jwt.decode(token, options={"verify_signature": False})["exp"])


async def answer(client: Client, sid: str, query: str, variables: dict[str, Any] | None = None):
    """The first message for operation ``sid``."""
    await client.subscribe(sid, query, variables)
    while True:
        message = await client.next()
        if message.get("id") == sid:
            return message


def error_codes(message: dict[str, Any]) -> list[str]:
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    return [e["extensions"]["code"] for e in errors]


def test_an_expired_token_runs_no_query_mutation_or_subscription_over_its_socket(serve, hall):
    server = serve(jwt_leeway_seconds=0)
    admin, expires = short_token(Role.HALL_ADMIN, hall, ttl_seconds=2)

    async def scenario() -> dict[str, dict[str, Any]]:
        client = await Client.connect(server.ws_url, {"token": admin})
        await client.ack()
        before = await answer(client, "before", TYPENAME)
        assert before["payload"] == {"data": {"__typename": "Query"}}
        await asyncio.sleep(max(0.0, expires - time.time()) + 0.1)
        answers = {
            "mutation": await answer(client, "m", PUBLISH),
            "query": await answer(client, "q", HALL),
            "subscription": await answer(client, "s", HALL_LOG),
        }
        await client.close()
        return answers

    answers = asyncio.run(scenario())
    for message in answers.values():
        assert message["type"] == "error", message
        assert error_codes(message) == ["UNAUTHENTICATED"]
        assert "expired" in message["payload"][0]["message"]
        assert message["payload"][0]["extensions"]["requestId"]
    position = asyncio.run(_hall_log_position(server.ws_url, hall))
    assert position == 1  # the hall's registration only: the mutation recorded nothing


async def _hall_log_position(url: str, hall: str) -> int:
    fresh = issue_token(TEST_SETTINGS, subject="fresh", role=Role.STAFF, tenant=hall)
    client = await Client.connect(url, {"token": fresh})
    await client.ack()
    message = await answer(client, "1", HALL_LOG)
    await client.close()
    return int(message["payload"]["data"]["hallLog"]["position"])


def test_a_token_within_the_verification_leeway_still_runs_operations(gateway_url, gql, hall):
    # exp one second ago: the default leeway (5 s) accepts it, over HTTP and the WebSocket.
    staff, _ = short_token(Role.STAFF, hall, ttl_seconds=-1)
    assert gql(TYPENAME, token=staff).json() == {"data": {"__typename": "Query"}}

    async def scenario() -> dict[str, Any]:
        client = await Client.connect(ws_url(gateway_url), {"token": staff})
        await client.ack()
        message = await answer(client, "q", TYPENAME)
        await client.close()
        return message

    assert asyncio.run(scenario())["payload"] == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize(
    ("query", "variables"), [(HALL_LOG, None), (CATALOG, "hall")], ids=["hallLog", "catalog"]
)
def test_a_running_subscription_ends_when_its_token_expires(serve, hall, query, variables):
    server = serve(jwt_leeway_seconds=1)
    staff, expires = short_token(Role.STAFF, hall, ttl_seconds=2)

    async def scenario() -> tuple[dict[str, Any], float, dict[str, Any]]:
        client = await Client.connect(server.ws_url, {"token": staff})
        await client.ack()
        first = await answer(client, "1", query, {"h": hall} if variables else None)
        assert first["type"] == "next", first
        assert "errors" not in first["payload"], first
        ended = await client.next(timeout=5)
        at = time.time()
        complete = await client.next()
        await client.close()
        return ended, at, complete

    ended, at, complete = asyncio.run(scenario())
    assert error_codes(ended) == ["UNAUTHENTICATED"]
    assert expires + 1 <= at < expires + 2  # at exp + leeway, not on the next commit
    assert complete == {"id": "1", "type": "complete"}


def test_each_operation_over_a_websocket_is_charged_to_the_rate_limit(serve, token, hall):
    # One token a minute refills the bucket: a slow machine cannot refill it mid-test.
    server = serve(rate_limit_per_minute=1, rate_limit_burst=3)
    staff = token(Role.STAFF, hall, subject="ws-limited")

    async def scenario() -> list[dict[str, Any]]:
        client = await Client.connect(server.ws_url, {"token": staff})
        await client.ack()  # the connection: one request
        answers = [await answer(client, str(i), TYPENAME) for i in range(3)]
        await client.ws.send(json.dumps({"type": "ping"}))
        assert await client.next() == {"type": "pong"}  # still open
        await client.close()
        return answers

    ok, also_ok, limited = asyncio.run(scenario())
    assert ok["payload"] == also_ok["payload"] == {"data": {"__typename": "Query"}}
    assert limited["type"] == "error"
    assert error_codes(limited) == ["RATE_LIMITED"]
    assert limited["payload"][0]["message"].startswith("too many requests; retry after")
    assert limited["payload"][0]["extensions"]["requestId"]
    assert server.gql(HALL, token=staff).status_code == 429  # one bucket with HTTP
    other = token(Role.STAFF, hall, subject="ws-other")
    assert server.gql(HALL, token=other).status_code == 200


def test_anonymous_operations_over_a_websocket_are_charged_to_the_address(serve):
    server = serve(rate_limit_anonymous_per_minute=1, rate_limit_burst=2)

    async def scenario() -> list[dict[str, Any]]:
        client = await Client.connect(server.ws_url)
        await client.ack()
        answers = [await answer(client, str(i), TYPENAME) for i in range(2)]
        await client.close()
        return answers

    ok, limited = asyncio.run(scenario())
    assert ok["type"] == "next"
    assert error_codes(limited) == ["RATE_LIMITED"]
