"""Subscriptions over graphql-transport-ws with a real WebSocket client."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import psycopg
import pytest
import websockets

from gateway.auth import Role
from tests.e2e.gateway.conftest import PUBLISH

HALL_LOG = "subscription { hallLog { hallId position } }"
CATALOG = "subscription($h: String!) { catalogChanged(hallId: $h) { code name } }"


class Client:
    """A graphql-transport-ws client over a real WebSocket."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws

    @classmethod
    async def connect(cls, url: str, payload: dict[str, Any] | None = None) -> Client:
        ws = await websockets.connect(url, subprotocols=["graphql-transport-ws"])
        await ws.send(json.dumps({"type": "connection_init", "payload": payload or {}}))
        return cls(ws)

    async def ack(self) -> dict[str, Any]:
        message = json.loads(await self.ws.recv())
        assert message["type"] == "connection_ack", message
        return message

    async def subscribe(self, sid: str, query: str, variables: dict[str, Any] | None = None):
        payload = {"query": query, "variables": variables or {}}
        await self.ws.send(json.dumps({"id": sid, "type": "subscribe", "payload": payload}))

    async def next(self, timeout: float = 5.0) -> dict[str, Any]:
        return json.loads(await asyncio.wait_for(self.ws.recv(), timeout))

    async def close(self) -> None:
        await self.ws.close()


def ws_url(gateway_url: str) -> str:
    return gateway_url.replace("http://", "ws://") + "/graphql"


def in_thread(fn, *args):
    """Run a blocking call (an HTTP mutation, the projection worker) beside the event loop."""
    return asyncio.get_running_loop().run_in_executor(None, fn, *args)


def test_a_hall_log_move_is_pushed_to_a_subscriber(gateway_url, gql, token, hall):
    staff = token(Role.STAFF, hall)

    async def scenario() -> None:
        client = await Client.connect(ws_url(gateway_url), {"token": staff})
        await client.ack()
        await client.subscribe("1", HALL_LOG)
        first = await client.next()
        assert first["payload"]["data"]["hallLog"] == {"hallId": hall, "position": 1}
        admin = token(Role.HALL_ADMIN, hall)
        await in_thread(lambda: gql(PUBLISH, {"code": "S1", "name": "x"}, token=admin))
        moved = await client.next(timeout=10.0)  # pushed (how fast: make bench)
        assert moved == {
            "id": "1",
            "type": "next",
            "payload": {"data": {"hallLog": {"hallId": hall, "position": 2}}},
        }
        await client.close()

    asyncio.run(scenario())


def test_a_read_model_subscription_follows_the_projection(
    gateway_url, gql, token, hall, projection_worker
):
    async def scenario() -> None:
        client = await Client.connect(ws_url(gateway_url))  # the catalog is public
        await client.ack()
        await client.subscribe("c", CATALOG, {"h": hall})
        assert (await client.next())["payload"]["data"]["catalogChanged"] == []
        admin = token(Role.HALL_ADMIN, hall)
        await in_thread(lambda: gql(PUBLISH, {"code": "C1", "name": "热线咨询"}, token=admin))
        await in_thread(projection_worker.run_once)
        update = await client.next(timeout=10.0)  # pushed once the worker wrote the rows
        assert update["payload"]["data"]["catalogChanged"] == [{"code": "C1", "name": "热线咨询"}]
        await client.close()

    asyncio.run(scenario())


def test_other_halls_moves_do_not_reach_a_subscriber(gateway_url, gql, token, hall, other_hall):
    async def scenario() -> None:
        client = await Client.connect(ws_url(gateway_url), {"token": token(Role.STAFF, hall)})
        await client.ack()
        await client.subscribe("1", HALL_LOG)
        await client.next()
        admin_b = token(Role.HALL_ADMIN, other_hall)
        await in_thread(lambda: gql(PUBLISH, {"code": "B1", "name": "x"}, token=admin_b))
        with pytest.raises(TimeoutError):
            await client.next(timeout=0.5)
        await client.close()

    asyncio.run(scenario())


@pytest.mark.parametrize(
    "payload", [{"token": "not-a-jwt"}, {"token": 5}, {"token": ""}, {"token": "Bearer "}]
)
def test_a_bad_token_in_connection_init_closes_the_socket(gateway_url, payload):
    async def scenario() -> None:
        client = await Client.connect(ws_url(gateway_url), payload)
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await client.next()
        assert closed.value.rcvd.code == 4403

    asyncio.run(scenario())


def test_connections_count_against_the_rate_limit(serve, token, hall):
    server = serve(rate_limit_per_minute=60, rate_limit_burst=1)
    staff = token(Role.STAFF, hall)

    async def scenario() -> None:
        first = await Client.connect(server.ws_url, {"token": staff})
        await first.ack()
        second = await Client.connect(server.ws_url, {"token": staff})
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await second.next()
        assert closed.value.rcvd.code == 4403
        await first.close()

    asyncio.run(scenario())


@pytest.mark.parametrize(
    ("role", "code"), [(None, "UNAUTHENTICATED"), (Role.APPLICANT, "FORBIDDEN")]
)
def test_subscriptions_enforce_their_declaration(gateway_url, token, hall, role, code):
    async def scenario() -> None:
        payload = {"token": token(role, hall)} if role else {}
        client = await Client.connect(ws_url(gateway_url), payload)
        await client.ack()
        await client.subscribe("1", HALL_LOG)
        message = await client.next()
        errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
        assert [e["extensions"]["code"] for e in errors] == [code]
        await client.close()

    asyncio.run(scenario())


def test_subscribers_of_a_process_share_one_listen_connection(
    gateway_url, token, hall, other_hall, database_url
):
    def listening() -> int:
        with psycopg.connect(database_url, autocommit=True) as conn:
            row = conn.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE application_name = %s AND datname = current_database()",
                ("yanshen-gateway-hub",),
            ).fetchone()
        return int(row[0])

    async def scenario() -> None:
        clients = []
        for i, h in enumerate([hall, hall, other_hall, other_hall]):
            client = await Client.connect(ws_url(gateway_url), {"token": token(Role.STAFF, h)})
            await client.ack()
            await client.subscribe(str(i), HALL_LOG)
            await client.next()
            clients.append(client)
            if i == 0:  # the hub listens now (other servers of the session may listen too)
                before = await in_thread(listening)
        assert await in_thread(listening) == before  # more subscribers, no more connections
        for client in clients:
            await client.close()

    asyncio.run(scenario())


def test_the_websocket_speaks_only_graphql_transport_ws(gateway_url):
    async def scenario() -> None:
        async with websockets.connect(ws_url(gateway_url), subprotocols=["graphql-ws"]) as ws:
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await ws.recv()
        assert closed.value.rcvd.code == 4406

    asyncio.run(scenario())


def test_subscribers_survive_a_lost_listen_connection(gateway_url, gql, token, hall, database_url):
    def kill_hub() -> int:
        with psycopg.connect(database_url, autocommit=True) as conn:
            row = conn.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE application_name = %s AND datname = current_database()",
                ("yanshen-gateway-hub",),
            ).fetchone()
        return int(row[0])

    async def scenario() -> None:
        client = await Client.connect(ws_url(gateway_url), {"token": token(Role.STAFF, hall)})
        await client.ack()
        await client.subscribe("1", HALL_LOG)
        await client.next()
        assert await in_thread(kill_hub) == 1
        await asyncio.sleep(0.5)  # the hub reconnects (backoff from 0.1 s)
        admin = token(Role.HALL_ADMIN, hall)
        await in_thread(lambda: gql(PUBLISH, {"code": "AFTER", "name": "x"}, token=admin))
        moved = await client.next(timeout=2.0)
        assert moved["payload"]["data"]["hallLog"]["position"] == 2
        await client.close()

    asyncio.run(scenario())
