"""Many subscribers, one gateway process (real WebSocket clients, a real database): the
subscribers of a hall's read model share one position poller and their reads of it, and the
process runs only so many subscriptions at once, giving each slot back when its subscription
or socket ends."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import pytest
from prometheus_client import REGISTRY

from gateway.auth import Role
from gateway.context import GatewayState
from gateway.subscriptions import positions, sources
from tests.e2e.gateway.conftest import PUBLISH, Server
from tests.e2e.gateway.test_subscriptions import CATALOG, HALL_LOG, Client, in_thread

TYPENAME = "{ __typename }"


def polls(projection: str) -> float:
    """``yanshen_subscription_position_polls_total`` of ``projection`` in this process."""
    value = REGISTRY.get_sample_value(
        "yanshen_subscription_position_polls_total", {"projection": projection}
    )
    return value or 0.0


def reads(projection: str) -> float:
    """``yanshen_subscription_reads_total`` of ``projection`` in this process."""
    value = REGISTRY.get_sample_value(
        "yanshen_subscription_reads_total", {"projection": projection}
    )
    return value or 0.0


def pollers() -> float:
    return REGISTRY.get_sample_value("yanshen_subscription_position_pollers") or 0.0


def most_polls_of_one_wait() -> int:
    """The most polls one poller makes for one commit: at once, then after each pause of its
    backoff until the waiters give up (``PROJECTION_WAIT_SECONDS``), one more in flight."""
    count, waited, pause = 1, 0.0, positions.POLL_FIRST_SECONDS
    while waited + pause < sources.PROJECTION_WAIT_SECONDS:
        waited += pause
        count += 1
        pause = min(pause * positions.POLL_BACKOFF, positions.POLL_MAX_SECONDS)
    return count + 1


def state_of(server: Server) -> GatewayState:
    state: GatewayState = server.server.config.app.state.gateway
    return state


async def eventually(check: Callable[[], bool], what: str, within: float = 20.0) -> None:
    """Wait until ``check()`` holds: the server notices a closed socket in its own time."""
    deadline = time.monotonic() + within
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"still not so after {within} s: {what}")
        await asyncio.sleep(0.02)


async def first_answer(client: Client, sid: str, query: str, variables: Any = None) -> dict:
    """The first message of operation ``sid`` (``next`` or ``error``)."""
    await client.subscribe(sid, query, variables)
    while True:
        message = await client.next(timeout=10.0)
        if message.get("id") == sid:
            return message


def refused_code(message: dict[str, Any]) -> str | None:
    if message["type"] != "error":
        return None
    [error] = message["payload"]
    return str(error["extensions"]["code"])


def test_every_subscriber_of_a_hall_sees_a_change_for_one_position_poller(
    serve, gql, token, hall, project
):
    server = serve()
    per_connection, connections = 12, 4
    subscribers = per_connection * connections
    bound = most_polls_of_one_wait()
    assert subscribers > bound  # one poll each would exceed what one poller can make

    async def scenario() -> tuple[float, float, list[dict[str, Any]]]:
        clients = []
        for _ in range(connections):
            client = await Client.connect(server.ws_url)  # the catalog is public
            await client.ack()
            for i in range(per_connection):
                first = await first_answer(client, str(i), CATALOG, {"h": hall})
                assert first["payload"]["data"]["catalogChanged"] == [], first
            clients.append(client)
        before, read_before = polls("catalog"), reads("catalog")
        admin = token(Role.HALL_ADMIN, hall)
        await in_thread(lambda: gql(PUBLISH, {"code": "C1", "name": "热线咨询"}, token=admin))
        await in_thread(project)
        updates = [
            await client.next(timeout=10.0) for client in clients for _ in range(per_connection)
        ]
        polled, read = polls("catalog") - before, reads("catalog") - read_before
        for client in clients:
            await client.close()
        return polled, read, updates

    polled, read, updates = asyncio.run(scenario())
    assert len(updates) == subscribers
    for update in updates:
        assert update["payload"]["data"]["catalogChanged"] == [{"code": "C1", "name": "热线咨询"}]
    assert {u["id"] for u in updates} == {str(i) for i in range(per_connection)}
    assert 1 <= polled <= bound, polled  # one poller for all 48, not one poll each
    # Woken by the same poll, they share their reads of the catalog too (a subscriber the
    # hub woke a little later may start another): a few reads, not 48.
    assert 1 <= read <= 4, read


def test_subscribers_that_disconnect_leave_no_poller_behind(serve, gql, token, hall, monkeypatch):
    # Waiters that outlived their sockets would keep their poller for two minutes.
    monkeypatch.setattr(sources, "PROJECTION_WAIT_SECONDS", 120.0)
    server = serve()
    state = state_of(server)
    idle = pollers()

    async def scenario() -> None:
        clients = []
        for _ in range(3):
            client = await Client.connect(server.ws_url)
            await client.ack()
            for sid in ("a", "b"):
                first = await first_answer(client, sid, CATALOG, {"h": hall})
                assert first["type"] == "next", first
            clients.append(client)
        assert state.hub.positions.feeds == 1  # six subscribers, one (hall, projection)
        admin = token(Role.HALL_ADMIN, hall)
        await in_thread(lambda: gql(PUBLISH, {"code": "C1", "name": "x"}, token=admin))
        # No projection worker runs: every subscriber waits for the catalog to catch up.
        await eventually(lambda: pollers() == idle + 1, "one poller for the six waiters")
        polled = polls("catalog")
        await eventually(lambda: polls("catalog") > polled, "the poller polls")
        for client in clients:
            await client.close()
        await eventually(lambda: state.subscriptions.running == 0, "subscriptions ended")
        await eventually(lambda: pollers() == idle, "the poller stopped with its waiters")
        assert state.hub.positions.feeds == 0
        stopped = polls("catalog")
        await asyncio.sleep(0.5)  # several poll intervals: none comes
        assert polls("catalog") == stopped

    asyncio.run(scenario())


def test_a_process_refuses_subscriptions_over_its_caps_until_others_end(serve, token, hall):
    server = serve(max_subscriptions=3, max_anonymous_subscriptions=2, rate_limit_per_minute=0)
    state = state_of(server)

    async def admitted_again(client: Client, query: str, variables: Any = None) -> dict:
        """Subscribe until admitted: a slot is back once the server ended its holder."""
        attempt = 0
        while True:
            attempt += 1
            message = await first_answer(client, f"retry-{attempt}", query, variables)
            if refused_code(message) != "RATE_LIMITED":
                return message
            assert attempt < 200, "the slot never came back"
            await asyncio.sleep(0.05)

    async def scenario() -> None:
        public = await Client.connect(server.ws_url)
        await public.ack()
        for sid in ("1", "2"):
            assert (await first_answer(public, sid, CATALOG, {"h": hall}))["type"] == "next"
        refused = await first_answer(public, "3", CATALOG, {"h": hall})
        assert refused_code(refused) == "RATE_LIMITED", refused
        message = refused["payload"][0]["message"]
        assert "without a token" in message
        assert "(2)" in message
        assert "(or with a token)" in message
        assert refused["payload"][0]["extensions"]["requestId"]
        # Queries over the socket take no slot.
        assert (await first_answer(public, "q", TYPENAME))["payload"] == {
            "data": {"__typename": "Query"}
        }

        staff = await Client.connect(server.ws_url, {"token": token(Role.STAFF, hall)})
        await staff.ack()
        assert (await first_answer(staff, "s1", HALL_LOG))["type"] == "next"
        full = await first_answer(staff, "s2", HALL_LOG)
        assert refused_code(full) == "RATE_LIMITED", full
        assert "(3)" in full["payload"][0]["message"]
        assert (state.subscriptions.running, state.subscriptions.running_anonymous) == (3, 2)

        # The client ends one subscription: its slot is back.
        await public.ws.send('{"id": "1", "type": "complete"}')
        again = await admitted_again(public, CATALOG, {"h": hall})
        assert again["type"] == "next", again

        # A socket drops with two subscriptions: both slots are back.
        await public.close()
        assert (await admitted_again(staff, HALL_LOG))["type"] == "next"
        await eventually(lambda: state.subscriptions.running_anonymous == 0, "slots back")

        # A subscription its resolver refuses gives its slot back too.
        applicant = await Client.connect(server.ws_url, {"token": token(Role.APPLICANT, hall)})
        await applicant.ack()
        forbidden = await first_answer(applicant, "f", HALL_LOG)
        assert "FORBIDDEN" in str(forbidden)
        await staff.close()
        await applicant.close()
        await eventually(lambda: state.subscriptions.running == 0, "every slot back")

    asyncio.run(scenario())
