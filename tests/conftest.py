"""Shared fixtures: real PostgreSQL and Kafka (tests/fixtures), the platform, a live gateway."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from hypothesis import settings

from deploy.bootstrap import Platform
from deploy.settings import Settings
from gateway.app import create_app
from gateway.auth import Role, issue_token
from projections.runtime import ProjectionWorker

pytest_plugins = ["tests.fixtures.postgres", "tests.fixtures.kafka"]

# No time limit per example: on a shared 2-core machine a slow example is noise, not a
# failure (timed assertions do not belong in the suite).
settings.register_profile("yanshen", deadline=None)
settings.load_profile("yanshen")

TEST_SETTINGS = Settings(jwt_secret="test-signing-key-0123456789-abcdefghijklmnopqrstuvwxyz")


@pytest.fixture(autouse=True)
def _root_logging_restored() -> Iterator[None]:
    """Each test ends with the root logger it began with.

    CLI commands invoked in-process configure logging onto CliRunner's captured stream, which
    is closed afterwards; the live gateway's request logs then failed with "I/O operation on
    closed file" in later tests.
    """
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture(scope="session")
def platform(database_url: str, app_pool: Any, worker_pool: Any) -> Platform:
    """The composition root on the session's database and pools."""
    return Platform(
        settings=TEST_SETTINGS,
        database_url=database_url,
        app_pool=app_pool,
        worker_pool=worker_pool,
    )


@pytest.fixture(scope="session")
def projection_worker(platform: Platform) -> Iterator[ProjectionWorker]:
    """One projection worker for the session (one set of leases, released at the end)."""
    worker = platform.projection_worker()
    yield worker
    worker.close()


@pytest.fixture
def project(projection_worker: ProjectionWorker) -> Callable[[], int]:
    """Run the projection worker until every hall's read models are current."""
    return projection_worker.run_once


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def gateway_url(platform: Platform) -> Iterator[str]:
    """A real HTTP server (uvicorn) serving the gateway for the session."""
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(platform), host="127.0.0.1", port=port, log_level="warning", lifespan="on"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            pytest.fail("the gateway did not start within 20 s")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def token() -> Callable[..., str]:
    """``token(role, tenant=None, subject="u-test")``: a valid signed token."""

    def make(role: Role, tenant: str | None = None, subject: str = "u-test") -> str:
        return issue_token(TEST_SETTINGS, subject=subject, role=role, tenant=tenant)

    return make


class GraphQL:
    """A small GraphQL-over-HTTP client for the tests."""

    def __init__(self, url: str) -> None:
        self.url = f"{url}/graphql"

    def __call__(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        h = dict(headers or {})
        if token:
            h["Authorization"] = f"Bearer {token}"
        return httpx.post(
            self.url, json={"query": query, "variables": variables or {}}, headers=h, timeout=30
        )


@pytest.fixture
def gql(gateway_url: str) -> GraphQL:
    return GraphQL(gateway_url)
