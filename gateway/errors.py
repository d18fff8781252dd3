"""The one place that turns failures into GraphQL errors with a stable ``extensions.code``.

Codes: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, VALIDATION, CONFLICT, RATE_LIMITED, INTERNAL.
Internal errors never leak their text, a stack trace or SQL: the client gets the request
id, and the log has the rest.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError
from litestar import Request, Response
from strawberry.extensions import SchemaExtension

from gateway.auth import AuthenticationError
from services.shared.errors import DomainError

__all__ = ["ErrorCodes", "authentication_failed"]

log = logging.getLogger("yanshen.gateway")


class InputError(DomainError):
    """Input rejected by the gateway before it reaches a service."""


def _classify(error: GraphQLError) -> tuple[str, str]:
    original = error.original_error
    if original is None:
        return "VALIDATION", error.message  # syntax, unknown field, wrong argument type
    if isinstance(original, GraphQLError):
        return _classify(original)
    if isinstance(original, DomainError | AuthenticationError):
        return original.code, str(original)
    return "INTERNAL", ""


class ErrorCodes(SchemaExtension):
    """Gives every error a code and the request id; masks internal errors."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        context: Any = self.execution_context.context
        request_id = getattr(context, "request_id", "-")
        result.errors = [self._coded(e, request_id) for e in result.errors]

    @staticmethod
    def _coded(error: GraphQLError, request_id: str) -> GraphQLError:
        code, message = _classify(error)
        if code == "INTERNAL":
            log.error("internal error in request %s", request_id, exc_info=error.original_error)
            message = f"internal error; quote request id {request_id} to the operator"
        return GraphQLError(
            message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={**(error.extensions or {}), "code": code, "requestId": request_id},
        )


def authentication_failed(request: Request, exc: AuthenticationError) -> Response:  # type: ignore[type-arg]
    """A token that is present but bad rejects the whole request with HTTP 401."""
    request_id = getattr(request.state, "request_id", None) or request.headers.get(
        "x-request-id", "-"
    )
    body = {
        "data": None,
        "errors": [
            {"message": str(exc), "extensions": {"code": exc.code, "requestId": request_id}}
        ],
    }
    return Response(body, status_code=401, headers={"WWW-Authenticate": "Bearer"})
