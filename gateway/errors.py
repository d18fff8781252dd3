"""The one place that turns failures into GraphQL errors with a stable ``extensions.code``,
and records how each operation ended.

Codes: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, VALIDATION, CONFLICT, RATE_LIMITED,
UNAVAILABLE (the database cannot be reached: retry later), ALREADY_APPLIED (a retry under an
``Idempotency-Key`` whose first request was applied but never answered), SUPERSEDED (an
attempt whose ``Idempotency-Key`` claim a retry took over; it recorded nothing), INTERNAL. Internal
errors never leak their text, a stack trace or SQL: the client gets the request id, and the
log has the rest. Errors are counted by code (``yanshen_graphql_errors_total``);
operations by type and root field, with their latency (:class:`OperationMetrics`), and the
log lines of an operation carry its name, hall and caller.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any

import psycopg
import structlog
from graphql import FieldNode, GraphQLError, get_operation_ast
from litestar import Request, Response
from prometheus_client import Counter, Histogram
from strawberry.extensions import SchemaExtension
from strawberry.schema.exceptions import CannotGetOperationTypeError
from strawberry.types import ExecutionContext

from gateway.auth import AuthenticationError
from gateway.context import request_id_of
from gateway.limits.ratelimit import RateLimitedError
from services.shared.errors import DomainError
from services.store.consumer import connection_lost

__all__ = [
    "CODES",
    "ErrorCodes",
    "InputError",
    "OperationMetrics",
    "authentication_failed",
    "body_too_large",
    "classify",
    "internal_error",
    "rate_limited",
    "refused_request",
]

log = logging.getLogger("yanshen.gateway")

CODES = frozenset(
    {
        "UNAUTHENTICATED",
        "FORBIDDEN",
        "NOT_FOUND",
        "VALIDATION",
        "CONFLICT",
        "RATE_LIMITED",
        "UNAVAILABLE",
        "ALREADY_APPLIED",
        "SUPERSEDED",
        "INTERNAL",
    }
)

ERRORS = Counter("yanshen_graphql_errors_total", "GraphQL errors returned, by code", ["code"])
OPERATIONS = Counter(
    "yanshen_graphql_operations_total",
    "GraphQL operations, by type and root field",
    ["type", "field"],
)
OPERATION_SECONDS = Histogram(
    "yanshen_graphql_operation_duration_seconds",
    "GraphQL operation latency, by type and root field",
    ["type", "field"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)


class InputError(DomainError):
    """Input rejected by the gateway before it reaches a service."""


def classify(error: GraphQLError) -> tuple[str, str]:
    """``(code, message for the client)`` of an error."""
    original = error.original_error
    if original is None:
        code = (error.extensions or {}).get("code")  # e.g. a replayed idempotent response
        return (code if code in CODES else "VALIDATION"), error.message
    if isinstance(original, GraphQLError):
        return classify(original)
    if isinstance(original, DomainError | AuthenticationError | RateLimitedError):
        return original.code, str(original)
    if error.path is None and isinstance(original, ValueError | TypeError):
        return "VALIDATION", error.message  # a variable or literal that does not coerce
    if isinstance(original, CannotGetOperationTypeError):  # over a WebSocket (HTTP: 400)
        return "VALIDATION", original.as_http_error_reason()
    return _classify_database_error(original)


def _classify_database_error(original: BaseException) -> tuple[str, str]:
    """Errors from the database that are not bugs: the client's text, an outage."""
    if _nul_in_text(original):
        return "VALIDATION", "text must not contain the NUL character (U+0000)"
    if _database_unavailable(original):
        return "UNAVAILABLE", UNAVAILABLE_MESSAGE
    return "INTERNAL", ""


UNAVAILABLE_MESSAGE = "the service cannot reach its database; try again in a few seconds"


def _database_unavailable(error: BaseException) -> bool:
    """No connection to the database: none free within the pool's timeout
    (``PoolTimeout``, :data:`services.store.pool.TIMEOUTS`), or the server gone (the store
    wraps psycopg's errors in the library's). Not the client's fault, nor a bug to quote."""
    seen: BaseException | None = error
    while seen is not None:
        if connection_lost(seen):
            return True
        seen = seen.__cause__
    return False


_NUL_REFUSED = (psycopg.errors.CharacterNotInRepertoire, psycopg.errors.UntranslatableCharacter)
"""What PostgreSQL answers to U+0000 in text (22021) or in JSON (22P05)."""


def _nul_in_text(error: BaseException) -> bool:
    """An argument had U+0000 (e.g. a search filter), which PostgreSQL's text cannot hold:
    the client's input, not our fault. psycopg refuses it before sending (a ``DataError``
    without SQLSTATE: adapting a parameter); the server, in a value it parses. (Commands
    carrying one are refused before anything is stored: ``services.store.text``.)"""
    seen: BaseException | None = error
    while seen is not None:  # the store wraps psycopg's errors in the library's
        if isinstance(seen, _NUL_REFUSED):
            return True
        if isinstance(seen, psycopg.DataError) and seen.sqlstate is None and "NUL" in str(seen):
            return True
        seen = seen.__cause__
    return False


class ErrorCodes(SchemaExtension):
    """Gives every error a code and the request id; masks and logs internal errors.

    HTTP responses are coded when the operation ends; each result of a subscription (or an
    operation over the WebSocket) as it is streamed.
    """

    def on_operation(self) -> Iterator[None]:
        yield
        self._code(self.execution_context.result)

    def on_stream_result(self, result: Any) -> Iterator[None]:
        self._code(result)
        yield

    def _code(self, result: Any) -> None:
        errors = getattr(result, "errors", None)
        if not errors:
            return
        request_id = getattr(self.execution_context.context, "request_id", "-")
        result.errors = [coded(e, request_id) for e in errors]


def coded(error: GraphQLError, request_id: str) -> GraphQLError:
    """``error`` with ``extensions.code`` and ``requestId``; internal errors masked and logged."""
    if "requestId" in (error.extensions or {}):
        return error  # coded already (a streamed result)
    code, message = classify(error)
    ERRORS.labels(code).inc()
    if code == "INTERNAL":
        log.error("internal error in request %s", request_id, exc_info=error.original_error)
        message = f"internal error; quote request id {request_id} to the operator"
    elif code == "UNAVAILABLE":
        log.warning("database unavailable in request %s: %s", request_id, error.original_error)
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions={**(error.extensions or {}), "code": code, "requestId": request_id},
    )


def _error_response(
    request: Request,  # type: ignore[type-arg]
    code: str,
    message: str,
    status: int,
    headers: dict[str, str] | None = None,
) -> Response[dict[str, Any]]:
    ERRORS.labels(code).inc()
    request_id = request_id_of(request.scope)
    body = {
        "data": None,
        "errors": [{"message": message, "extensions": {"code": code, "requestId": request_id}}],
    }
    return Response(body, status_code=status, headers=headers)


def authentication_failed(request: Request, exc: AuthenticationError) -> Response:  # type: ignore[type-arg]
    """A token that is present but bad rejects the whole request with HTTP 401."""
    return _error_response(request, exc.code, str(exc), 401, headers={"WWW-Authenticate": "Bearer"})


def rate_limited(request: Request, exc: RateLimitedError) -> Response:  # type: ignore[type-arg]
    """Over the rate limit: HTTP 429 with ``Retry-After``."""
    return _error_response(
        request, exc.code, str(exc), 429, headers={"Retry-After": str(exc.retry_after)}
    )


def refused_request(request: Request, reason: str, status: int) -> Response:  # type: ignore[type-arg]
    """A request GraphQL never ran (not JSON, no query, a mutation sent with GET): its HTTP
    status, and ``VALIDATION`` like a query that does not validate. The reason may echo the
    client's text (an unknown operation name): what is not Unicode in it is replaced."""
    printable = reason.encode("utf-8", "replace").decode("utf-8")
    return _error_response(request, "VALIDATION", printable, status)


def body_too_large(request: Request, exc: Exception) -> Response:  # type: ignore[type-arg]
    """A body over ``YANSHEN_MAX_BODY_BYTES``: HTTP 413, read no further."""
    return _error_response(request, "VALIDATION", "the request body is too large", 413)


def internal_error(request: Request, exc: Exception) -> Response:  # type: ignore[type-arg]
    """Anything unhandled outside GraphQL execution: HTTP 500, logged, never echoed."""
    request_id = request_id_of(request.scope)
    log.error("internal error in request %s", request_id, exc_info=exc)
    return _error_response(
        request, "INTERNAL", f"internal error; quote request id {request_id} to the operator", 500
    )


def operation_label(ec: ExecutionContext) -> tuple[str, str]:
    """``(operation type, first root field)``; only schema field names (bounded labels)."""
    document = ec.graphql_document
    operation = get_operation_ast(document, ec.operation_name) if document else None
    if operation is None:
        return "unknown", "unknown"
    kind = operation.operation.value
    root = ec.schema._schema.get_root_type(operation.operation)
    for selection in operation.selection_set.selections:
        if isinstance(selection, FieldNode) and root and selection.name.value in root.fields:
            return kind, selection.name.value
    return kind, "unknown"


class OperationMetrics(SchemaExtension):
    """Counts and times operations; binds operation, hall and caller to the log context."""

    def on_operation(self) -> Iterator[None]:
        start = time.perf_counter()
        yield
        kind, field = operation_label(self.execution_context)
        OPERATIONS.labels(kind, field).inc()
        OPERATION_SECONDS.labels(kind, field).observe(time.perf_counter() - start)

    def on_execute(self) -> Iterator[None]:
        kind, field = operation_label(self.execution_context)
        principal = getattr(self.execution_context.context, "principal", None)
        structlog.contextvars.bind_contextvars(
            operation=f"{kind} {field}",
            operation_name=(self.execution_context.operation_name or "")[:64] or None,
            tenant=getattr(principal, "tenant", None),
            subject=getattr(principal, "subject", None),
            role=getattr(getattr(principal, "role", None), "value", None),
        )
        yield
