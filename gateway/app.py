"""The Litestar application: GraphQL over HTTP and graphql-transport-ws, health, readiness,
metrics; request ids, structured request logs and HTTP metrics around every request."""

from __future__ import annotations

import gc
import hmac
import json
import logging
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar

import msgspec
import psycopg
import strawberry
import structlog
from cross_web import HTTPException
from litestar import Litestar, MediaType, Request, Response, get
from litestar.background_tasks import BackgroundTasks
from litestar.config.app import AppConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Dependencies, Message, Receive, Scope, Send
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from strawberry.exceptions import ConnectionRejectionError
from strawberry.litestar import make_graphql_controller
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from gateway.auth import AuthenticationError, Principal
from gateway.context import (
    Context,
    GatewayState,
    authenticate,
    context_getter,
    request_id_of,
    run_sync,
)
from gateway.errors import (
    authentication_failed,
    body_too_large,
    internal_error,
    rate_limited,
    refused_request,
)
from gateway.limits import RateLimitedError, RateLimiter, SubscriptionSlot, SubscriptionSlots
from gateway.schema import build_schema
from gateway.subscriptions import AdmittingTransportWSHandler, LogHub, seconds_left
from services.store import migrations_current
from services.store.pool import Pool

if TYPE_CHECKING:
    from deploy.bootstrap import Platform

__all__ = ["MAX_BODY_BYTES", "create_app"]

MAX_BODY_BYTES = 1_000_000
"""The default of ``YANSHEN_MAX_BODY_BYTES``."""

log = logging.getLogger("yanshen.gateway")

HTTP_REQUESTS = Counter(
    "yanshen_http_requests_total",
    "HTTP requests, by path, method and status",
    ["path", "method", "status"],
)
HTTP_SECONDS = Histogram(
    "yanshen_http_request_duration_seconds",
    "HTTP request latency, by path and method",
    ["path", "method"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
PROJECTION_LAG = Gauge(
    "yanshen_projection_lag_events", "Events a consumer is behind, summed over halls", ["consumer"]
)
PROJECTION_LAG_MAX = Gauge(
    "yanshen_projection_lag_max_events",
    "Events a consumer is behind in its worst hall",
    ["consumer"],
)
PROJECTION_HALL_LAG = Gauge(
    "yanshen_projection_hall_lag_events",
    "Events a consumer is behind in one hall (every hall, whichever worker holds it, if any)",
    ["consumer", "tenant"],
)
_LAG = """
SELECT c.consumer, h.tenant_id, greatest(h.position - coalesce(p.position, 0), 0)
FROM (
    -- the consumers of every hall: a rebuild's positions are not a live read model's (and a
    -- killed one leaves them); a partner's backfill cursor follows one hall, for a while
    SELECT DISTINCT consumer FROM consumer_positions
    WHERE consumer NOT LIKE '%@rebuild' AND consumer NOT LIKE 'partner:%:backfill:%'
) c
CROSS JOIN tenant_heads h
LEFT JOIN consumer_positions p ON p.consumer = c.consumer AND p.tenant_id = h.tenant_id
ORDER BY 1, 2
"""


ROUTES = frozenset({"/graphql", "/health", "/ready", "/metrics"})
"""The paths metrics are labelled with; any other path counts as ``other``, so that a route
with path parameters added later cannot grow the metrics without bound."""


def observe_requests(app: ASGIApp) -> ASGIApp:
    """Middleware: request id (``X-Request-Id`` in and out), log context, HTTP metrics."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            request_id_of(scope)
            await app(scope, receive, send)
            return
        structlog.contextvars.clear_contextvars()
        request_id = request_id_of(scope)
        structlog.contextvars.bind_contextvars(request_id=request_id)
        start = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - start
            path, method = scope["path"], scope["method"]
            route = path if path in ROUTES else "other"
            HTTP_REQUESTS.labels(route, method, str(status)).inc()
            HTTP_SECONDS.labels(route, method).observe(elapsed)
            level = logging.INFO if path == "/graphql" else logging.DEBUG
            with structlog.contextvars.bound_contextvars(
                method=method, path=path, status=status, ms=round(elapsed * 1000, 1)
            ):
                log.log(level, "%s %s %s", method, path, status)

    return middleware


@get("/health", media_type=MediaType.JSON)
async def health() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@get("/ready", media_type=MediaType.JSON)
async def ready(state: State) -> Response[dict[str, str]]:
    """The process's background workers run, the database answers and its migrations are
    current."""
    problem = state.readiness()
    if problem is not None:
        return Response({"status": "unavailable", "reason": problem}, status_code=503)
    platform: Platform = state.gateway.platform
    try:
        problem = await run_sync(_database_problem, platform.database_url)
    except Exception as error:  # any failure to reach the database means not ready
        return Response({"status": "unavailable", "reason": type(error).__name__}, status_code=503)
    if problem is not None:
        return Response({"status": "unavailable", "reason": problem}, status_code=503)
    return Response({"status": "ready"})


READY_CONNECT_TIMEOUT = 2
"""Seconds ``/ready`` waits for a connection (a probe's own timeout is often 1–5 s)."""


def _database_problem(database_url: str) -> str | None:
    """Why the database is not ready (unreachable, migrations pending), or ``None``."""
    try:
        with psycopg.connect(database_url, connect_timeout=READY_CONNECT_TIMEOUT):
            pass
    except psycopg.OperationalError:
        return "database unreachable"
    return None if migrations_current(database_url) else "migrations pending"


def _no_problem() -> str | None:
    return None


SCRAPE_TIMEOUT = 5.0
"""Seconds a scrape waits for a connection to measure the lag (the database is down: the
lag is left as last measured, the rest of the metrics are answered)."""


def _measure_projection_lag(pool: Pool) -> None:
    try:
        with pool.connection(timeout=SCRAPE_TIMEOUT) as conn:
            rows = conn.execute(_LAG).fetchall()
    except Exception:  # metrics never fail the scrape: the lag is left as last measured
        logging.getLogger(__name__).debug("projection lag not measured", exc_info=True)
        return
    totals: dict[str, int] = {}
    worst: dict[str, int] = {}
    # Measured from the database, not by the workers: a hall no worker holds lags too.
    for gauge in (PROJECTION_HALL_LAG, PROJECTION_LAG, PROJECTION_LAG_MAX):
        gauge.clear()  # halls or consumers gone since the last scrape
    for consumer, tenant, lag in rows:
        PROJECTION_HALL_LAG.labels(consumer, tenant).set(float(lag))
        totals[consumer] = totals.get(consumer, 0) + lag
        worst[consumer] = max(worst.get(consumer, 0), lag)
    for consumer, total in totals.items():
        PROJECTION_LAG.labels(consumer).set(float(total))
        PROJECTION_LAG_MAX.labels(consumer).set(float(worst[consumer]))


_SCRAPE = threading.Lock()
"""One scrape at a time: the lag gauges are cleared and refilled while it measures."""


def _exposition(pool: Pool) -> bytes:
    with _SCRAPE:
        _measure_projection_lag(pool)
        return generate_latest()


def _metrics_bearer(authorization: str, token: str) -> bool:
    """Whether ``authorization`` is ``Bearer <token>`` (the scheme in any case, as for the
    GraphQL endpoint), compared in constant time.

    >>> _metrics_bearer("bearer  s3cret", "s3cret"), _metrics_bearer("s3cret", "s3cret")
    (True, False)
    """
    scheme, _, sent = authorization.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(sent.strip().encode(), token.encode())


@get("/metrics", media_type=CONTENT_TYPE_LATEST)
async def metrics(request: Request[Any, Any, Any], state: State) -> Response[bytes]:
    """Prometheus metrics of the process, and the read models' lag behind the halls' logs;
    with ``YANSHEN_METRICS_TOKEN`` set, for its bearer only (401 otherwise)."""
    platform: Platform = state.gateway.platform
    token = platform.settings.metrics_token
    if token and not _metrics_bearer(request.headers.get("authorization", ""), token):
        return Response(
            b"metrics need Authorization: Bearer <YANSHEN_METRICS_TOKEN>\n",
            status_code=401,
            media_type=MediaType.TEXT,
            headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
        )
    body = await run_sync(_exposition, platform.worker_pool)
    return Response(body, media_type=CONTENT_TYPE_LATEST)


GC_THRESHOLDS = (20_000, 20, 50)
"""Allocations between young collections, and the older generations' factors (Python's
defaults: 700, 10, 10)."""


def tune_gc() -> None:
    """Fewer, cheaper garbage collections in the serving process.

    A board answer allocates thousands of short-lived objects; with Python's default
    thresholds a request triggered several young collections and, now and then, a full
    collection over the whole heap (schema, libraries) that stalled every request waiting
    behind it (closed-loop p99 110–390 ms against 55–66 ms tuned, on the 2-core bench
    machine). What exists at startup is moved out of the collector's sight (``gc.freeze``)
    and the young generation collected less often; reference counting still frees almost
    everything at once.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def _no_root_value() -> None:
    return None


def _new_response(root_value: None) -> Response[Any]:
    """The response strawberry fills in. It takes ``root_value`` and the context getter takes
    ``response`` only to chain the controller's dependencies: Litestar resolves dependencies
    of the same depth concurrently, in an anyio task group per request (~60 µs of a
    ``{ __typename }`` request's ~380 µs), and one at a time when each depends on the last."""
    return Response({}, background=BackgroundTasks([]))


def _graphql_controller(schema: strawberry.Schema, gateway: GatewayState, graphiql: bool) -> type:
    base: Any = make_graphql_controller(
        schema,
        path="/graphql",
        graphql_ide="graphiql" if graphiql else None,
        allow_queries_via_get=True,
        context_getter=context_getter,
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        connection_init_wait_timeout=timedelta(seconds=10),
        max_subscriptions_per_connection=gateway.platform.settings.ws_max_subscriptions,
    )

    class GraphQLController(base):  # type: ignore[misc]
        graphql_transport_ws_handler_class = AdmittingTransportWSHandler

        # Strawberry builds the response object in a worker thread; it is a constructor call.
        dependencies: ClassVar[Dependencies] = {
            **base.dependencies,
            "root_value": Provide(_no_root_value, sync_to_thread=False),
            "response": Provide(_new_response, sync_to_thread=False),
        }

        def encode_json(self, data: object) -> str:
            """Answers encoded with msgspec, as Litestar encodes its own responses: about ten
            times faster than ``json.dumps`` for a board-sized answer. A ``str``, so that
            WebSocket messages stay text frames."""
            try:
                return msgspec.json.encode(data).decode()
            except UnicodeEncodeError:  # a lone surrogate in a message: JSON escapes it
                return json.dumps(data, separators=(",", ":"))

        async def parse_http_body(self, request: Any) -> Any:
            """A body that is JSON but not a request (``null``, a number, a string), not
            UTF-8, or with a number too long to read is 400, like one that is not JSON."""
            try:
                return await super().parse_http_body(request)
            except (ValueError, AttributeError, TypeError) as error:
                raise HTTPException(
                    400, "the body must be a JSON object with a query (UTF-8)"
                ) from error

        async def execute_single(self, **kwargs: Any) -> Any:
            """A mutation sent with GET is 405 Method Not Allowed (GraphQL over HTTP)."""
            try:
                return await super().execute_single(**kwargs)
            except HTTPException as error:
                if kwargs["request_adapter"].method == "GET" and isinstance(
                    error.__cause__, InvalidOperationTypeError
                ):
                    raise HTTPException(405, "send mutations with POST") from error
                raise

        async def execute_request(
            self, request: Request[Any, Any, Any], context: Any, root_value: Any
        ) -> Response[Any]:
            """Requests refused before execution (a body that is not JSON, no query, a
            mutation over GET) answer like every other error, with ``extensions.code`` and
            the request id, not strawberry's plain text."""
            try:
                response: Response[Any] = await self.run(
                    request, context=context, root_value=root_value
                )
                return response
            except HTTPException as error:
                return refused_request(request, error.reason, error.status_code)

        async def on_ws_connect(self, context: Context) -> dict[str, object]:
            """Authenticate a WebSocket with ``{"token": "<jwt>"}`` in ``connection_init``
            (no token: anonymous); a bad token or a caller over the rate limit closes it."""
            params = context.connection_params or {}
            keys = [k for k in ("token", "authorization", "Authorization") if k in params]
            raw = params[keys[0]] if keys else ""
            try:
                if not isinstance(raw, str) or (keys and not raw.strip()):
                    raise AuthenticationError("the connection_init token must be a JWT string")
                header = raw if raw.lower().startswith("bearer ") or not raw else f"Bearer {raw}"
                principal = await authenticate(header, gateway.platform)
                _charge(gateway, principal, context)
            except (AuthenticationError, RateLimitedError) as error:
                raise ConnectionRejectionError(
                    {"code": error.code, "message": str(error)}
                ) from None
            context.principal = principal
            return {"requestId": context.request_id}

        async def on_ws_operation(self, context: Context) -> None:
            """Admit one operation (``subscribe`` message) of a WebSocket as an HTTP request
            is admitted: refused once the connection's token has expired (with the
            verification's leeway), and charged to the caller's rate limit."""
            left = seconds_left(context.principal, gateway.platform.settings.jwt_leeway_seconds)
            if left is not None and left <= 0:
                raise AuthenticationError(
                    "the token of this connection has expired; connect again with a new one"
                )
            _charge(gateway, context.principal, context)

        def take_subscription_slot(self, context: Context) -> SubscriptionSlot:
            """One of the process's subscription slots (``YANSHEN_MAX_SUBSCRIPTIONS``, of
            them ``YANSHEN_MAX_ANONYMOUS_SUBSCRIPTIONS`` without a token)."""
            return gateway.subscriptions.take(anonymous=not context.principal.authenticated)

    return GraphQLController


def _charge(gateway: GatewayState, principal: Principal, context: Context) -> None:
    """Take one request from the rate limit of ``principal`` (the client's address when
    anonymous); raise :class:`RateLimitedError` over it."""
    if principal.authenticated:
        gateway.limiter.check(f"{principal.tenant}/{principal.subject}")
    elif context.websocket is not None and context.websocket.client is not None:
        gateway.anonymous_limiter.check(context.websocket.client.host)


def create_app(
    platform: Platform,
    *,
    graphiql: bool | None = None,
    schema: strawberry.Schema | None = None,
    readiness: Callable[[], str | None] = _no_problem,
) -> Litestar:
    """The gateway for ``platform``; ``graphiql`` defaults to ``platform.settings.graphiql``,
    ``schema`` to :func:`gateway.schema.build_schema` of the platform's settings.
    ``readiness`` says why the process is not ready apart from its database (a background
    worker that stopped, see :mod:`deploy.background`), or ``None``."""
    settings = platform.settings
    gateway = GatewayState(
        platform=platform,
        limiter=RateLimiter(
            per_minute=settings.rate_limit_per_minute, burst=settings.rate_limit_burst
        ),
        anonymous_limiter=RateLimiter(
            per_minute=settings.rate_limit_anonymous_per_minute, burst=settings.rate_limit_burst
        ),
        hub=LogHub(platform.database_url),
        subscriptions=SubscriptionSlots(
            total=settings.max_subscriptions, anonymous=settings.max_anonymous_subscriptions
        ),
    )
    controller = _graphql_controller(
        schema or build_schema(settings),
        gateway,
        settings.graphiql if graphiql is None else graphiql,
    )

    def keep_state(config: AppConfig) -> AppConfig:
        config.state["gateway"] = gateway
        config.state["platform"] = platform
        config.state["readiness"] = readiness
        return config

    return Litestar(
        route_handlers=[controller, health, ready, metrics],
        on_app_init=[keep_state],
        on_startup=[tune_gc],
        on_shutdown=[gateway.hub.close],
        middleware=[observe_requests],
        exception_handlers={
            AuthenticationError: authentication_failed,
            RateLimitedError: rate_limited,
            413: body_too_large,
            500: internal_error,
        },
        request_max_body_size=settings.max_body_bytes,
        logging_config=None,  # the process configured logging (deploy.logging)
    )
