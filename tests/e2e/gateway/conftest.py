"""Fixtures of the gateway's e2e tests: extra live servers with their own settings or schema,
a GraphQL client with headers, a registered hall with a published catalog."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import strawberry
import uvicorn

from deploy.bootstrap import Platform
from deploy.settings import Settings
from gateway.app import create_app
from gateway.auth import Role
from tests.conftest import TEST_SETTINGS, GraphQL, _free_port

REGISTER = """mutation($id: String!, $name: String!) {
  registerHall(input: {hallId: $id, name: $name, region: "江苏省苏州市"}) { hallId }
}"""
PUBLISH = """mutation($code: String!, $name: String!) {
  publishServiceItem(input: {code: $code, name: $name, category: ASSISTANCE}) { code }
}"""


def codes(response: httpx.Response) -> list[str]:
    """The ``extensions.code`` of every error of a GraphQL response."""
    return [e["extensions"]["code"] for e in response.json().get("errors") or []]


class Server:
    """A live gateway on a free port (uvicorn in a thread)."""

    def __init__(self, app: Any) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}/graphql"
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                pytest.fail("the gateway did not start within 20 s")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    @property
    def gql(self) -> GraphQL:
        return GraphQL(self.url)


@pytest.fixture
def serve(platform: Platform) -> Iterator[Callable[..., Server]]:
    """``serve(settings=..., schema=..., app_pool=...)``: another live gateway for one test,
    on the session's database, with changed settings, a test schema or another pool."""
    servers: list[Server] = []

    def start(
        *,
        settings: Settings | None = None,
        schema: strawberry.Schema | None = None,
        app_pool: Any = None,
        **changes: Any,
    ) -> Server:
        base = settings or TEST_SETTINGS
        server_platform = dataclasses.replace(
            platform,
            settings=dataclasses.replace(base, **changes),
            app_pool=app_pool or platform.app_pool,
        )
        server = Server(create_app(server_platform, schema=schema)).__enter__()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.__exit__()


@pytest.fixture
def hall(gql: GraphQL, token: Callable[..., str], tenant_id: str) -> str:
    """A registered hall (a fresh one per test)."""
    r = gql(REGISTER, {"id": tenant_id, "name": "测试大厅"}, token=token(Role.PLATFORM_OPERATOR))
    assert "errors" not in r.json(), r.text
    return tenant_id


@pytest.fixture
def other_hall(gql: GraphQL, token: Callable[..., str], tenant_id: str) -> str:
    """A second registered hall."""
    other = f"{tenant_id}-b"
    r = gql(REGISTER, {"id": other, "name": "另一个大厅"}, token=token(Role.PLATFORM_OPERATOR))
    assert "errors" not in r.json(), r.text
    return other


@pytest.fixture
def publish(gql: GraphQL, token: Callable[..., str]) -> Callable[..., None]:
    """``publish(hall, *codes)``: publish service items as the hall's admin."""

    def run(hall: str, *item_codes: str) -> None:
        admin = token(Role.HALL_ADMIN, hall)
        for code in item_codes:
            r = gql(PUBLISH, {"code": code, "name": f"{hall} 事项 {code}"}, token=admin)
            assert "errors" not in r.json(), r.text

    return run
