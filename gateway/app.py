"""The Litestar application: GraphQL (with GraphiQL), health, readiness and metrics."""

from __future__ import annotations

from typing import TYPE_CHECKING

from litestar import Litestar, MediaType, Response, get
from litestar.config.app import AppConfig
from litestar.datastructures import State
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from strawberry.litestar import make_graphql_controller

from gateway.auth import AuthenticationError
from gateway.context import context_getter, run_sync
from gateway.errors import authentication_failed
from gateway.schema import build_schema
from services.store import migrations_current

if TYPE_CHECKING:
    from deploy.bootstrap import Platform

__all__ = ["MAX_BODY_BYTES", "create_app"]

MAX_BODY_BYTES = 1_000_000


@get("/health", media_type=MediaType.JSON)
async def health() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@get("/ready", media_type=MediaType.JSON)
async def ready(state: State) -> Response[dict[str, str]]:
    """The database answers and its migrations are current."""
    platform: Platform = state.platform
    try:
        current = await run_sync(migrations_current, platform.database_url)
    except Exception as error:  # any failure to reach the database means not ready
        return Response({"status": "unavailable", "reason": type(error).__name__}, status_code=503)
    if not current:
        return Response({"status": "unavailable", "reason": "migrations pending"}, status_code=503)
    return Response({"status": "ready"})


@get("/metrics", media_type=CONTENT_TYPE_LATEST)
async def metrics() -> bytes:
    return generate_latest()


def create_app(platform: Platform, *, graphiql: bool = True) -> Litestar:
    controller = make_graphql_controller(
        build_schema(),
        path="/graphql",
        graphql_ide="graphiql" if graphiql else None,
        allow_queries_via_get=False,
        context_getter=context_getter,
    )

    def keep_platform(config: AppConfig) -> AppConfig:
        config.state["platform"] = platform
        return config

    return Litestar(
        route_handlers=[controller, health, ready, metrics],
        on_app_init=[keep_platform],
        exception_handlers={AuthenticationError: authentication_failed},
        request_max_body_size=MAX_BODY_BYTES,
        logging_config=None,  # the process configured logging (deploy.logging)
    )
