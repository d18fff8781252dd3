"""Every operation over a WebSocket is admitted like an HTTP request: token expiry, rate limit."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import AsyncGenerator
from typing import Any

import httpx
import jwt
import pytest
import strawberry
import websockets
from strawberry.tools import merge_types

from gateway.auth import Role, issue_token
from gateway.schema import GatewaySchema, Mutation, Query, Subscription, build_schema
from gateway.security import PUBLIC, allow
from gateway.subscriptions.sources import log_head
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


LONE_SURROGATE = "A\ud800"  # valid JSON ("\ud800"), but no Unicode character


@strawberry.type
class DigestSubscription:
    @allow(PUBLIC)
    @strawberry.subscription
    async def digest(self, text: str) -> AsyncGenerator[str, None]:
        """A subscription hashing a string argument, as an id would be hashed."""
        yield hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture
def digesting(serve):
    """A gateway whose schema has a subscription with a plain string argument."""
    base = build_schema(TEST_SETTINGS)
    schema = GatewaySchema(
        query=Query,
        mutation=Mutation,
        subscription=merge_types("Subscription", (Subscription, DigestSubscription)),
        extensions=base.extensions,
    )
    return serve(schema=schema)


DIGEST = "subscription($t: String!) { digest(text: $t) }"


def _refused_over_a_websocket(url: str, token: str | None, payload: dict[str, Any]):
    """The answer to one ``subscribe`` with ``payload``; the socket must stay open."""

    async def scenario() -> dict[str, Any]:
        client = await Client.connect(url, {"token": token} if token else None)
        await client.ack()
        await client.ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        message = await client.next()
        await client.ws.send(json.dumps({"type": "ping"}))
        while (after := await client.next()) != {"type": "pong"}:  # still open
            assert after.get("id") == "1", after
        await client.close()
        return message

    return asyncio.run(scenario())


def _assert_refused_as_input(message: dict[str, Any]) -> None:
    assert message["type"] == "error", message
    assert error_codes(message) == ["VALIDATION"]
    assert "valid Unicode" in message["payload"][0]["message"]
    assert message["payload"][0]["extensions"]["requestId"]


@pytest.mark.parametrize(
    "payload",
    [
        {"query": DIGEST, "variables": {"t": LONE_SURROGATE}},
        {"query": 'subscription { digest(text: "A\ud800") }'},
        {"query": 'subscription Digest { digest(text: "x") }', "operationName": LONE_SURROGATE},
    ],
    ids=["in-a-variable", "in-the-query", "as-the-operation-name"],
)
def test_a_subscription_with_text_that_is_not_unicode_is_refused_before_it_runs(digesting, payload):
    # Strawberry runs a subscription without looking at the result an extension set, so the
    # gateway's UnicodeInput never refused one: the argument reached the resolver (INTERNAL).
    unicode = {"query": DIGEST, "variables": {"t": "窗口 1"}}
    assert _refused_over_a_websocket(digesting.ws_url, None, unicode)["type"] == "next"
    _assert_refused_as_input(_refused_over_a_websocket(digesting.ws_url, None, payload))


@pytest.mark.parametrize(
    "payload",
    [
        {"query": CATALOG, "variables": {"h": LONE_SURROGATE}},
        {
            "query": "query($s: String) { complaints(filter: {staff: $s}) { edges { cursor } } }",
            "variables": {"s": LONE_SURROGATE},
        },
        {
            "query": "mutation($c: String!) {"
            ' publishServiceItem(input: {code: $c, name: "n", category: OTHER}) { code } }',
            "variables": {"c": LONE_SURROGATE},
        },
    ],
    ids=["subscription", "query", "mutation"],
)
def test_text_that_is_not_unicode_is_refused_over_a_websocket(
    gateway_url, token, hall, platform, payload
):
    admin = token(Role.HALL_ADMIN, hall)
    before = log_head(platform.app_pool, hall)
    _assert_refused_as_input(_refused_over_a_websocket(ws_url(gateway_url), admin, payload))
    assert log_head(platform.app_pool, hall) == before  # the mutation recorded nothing


@pytest.mark.parametrize(
    "params",
    [
        {"token": LONE_SURROGATE},
        {"token": f"Bearer {LONE_SURROGATE}.e30.x"},
        {"token": "窗口.e30.x"},
    ],
    ids=["lone-surrogate", "bearer-lone-surrogate", "not-ascii"],
)
def test_a_connection_init_token_that_is_not_unicode_closes_the_socket_with_4403(
    gateway_url, params
):
    async def scenario() -> int | None:
        ws = await websockets.connect(ws_url(gateway_url), subprotocols=["graphql-transport-ws"])
        await ws.send(json.dumps({"type": "connection_init", "payload": params}))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 5)
        return closed.value.rcvd.code if closed.value.rcvd else None

    assert asyncio.run(scenario()) == 4403  # a rejected connection, not 1011 (an internal error)


def test_an_authorization_header_that_is_not_ascii_is_401(gateway_url):
    # HTTP headers are bytes (read as latin-1): no lone surrogate, but no JWT either.
    r = httpx.post(
        gateway_url + "/graphql",
        json={"query": TYPENAME},
        headers={"Authorization": b"Bearer \xe9\xff.e30.x"},
    )
    assert r.status_code == 401, r.text
    assert [e["extensions"]["code"] for e in r.json()["errors"]] == ["UNAUTHENTICATED"]


def test_an_unknown_operation_name_over_a_websocket_is_validation_not_internal(
    gateway_url, token, hall
):
    payload = {"query": "query A { __typename }", "operationName": "Nope"}
    message = _refused_over_a_websocket(ws_url(gateway_url), token(Role.HALL_ADMIN, hall), payload)
    assert error_codes(message) == ["VALIDATION"], message
    assert "Nope" in message["payload"][0]["message"]
