"""Requests refused before they run: text that is not Unicode, a subscription over HTTP.

Both would otherwise fail deep inside a resolver or the response encoder as ``INTERNAL``:
a lone surrogate (``"\\ud800"`` is valid JSON but no Unicode character) cannot be hashed
into an id, sent to PostgreSQL or encoded as UTF-8; a subscription over HTTP has no stream
to answer on. Each gets ``VALIDATION`` and nothing runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import ExecutionResult, GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

__all__ = ["NOT_UNICODE", "SubscriptionsOverWebSocket", "UnicodeInput", "has_lone_surrogate"]

NOT_UNICODE = "text must be valid Unicode (a lone surrogate such as \\ud800 is not)"
"""The refusal's message, over HTTP and over the WebSocket."""


def has_lone_surrogate(value: Any) -> bool:
    """Whether ``value`` (a JSON value) holds a string that is not valid Unicode.

    >>> has_lone_surrogate({"code": ["A001", "B\\ud800"]}), has_lone_surrogate("窗口 1")
    (True, False)
    """
    if isinstance(value, str):
        if value.isascii():
            return False
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(has_lone_surrogate(k) or has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_lone_surrogate(v) for v in value)
    return False


def _refuse(message: str) -> ExecutionResult:
    return ExecutionResult(
        data=None, errors=[GraphQLError(message, extensions={"code": "VALIDATION"})]
    )


class UnicodeInput(SchemaExtension):
    """Refuses variables, a query or an operation name with a lone surrogate.

    Not a subscription: strawberry runs one whatever ``on_execute`` set. Over the WebSocket
    :mod:`gateway.subscriptions.transport` refuses every operation with such text first.
    """

    def on_execute(self) -> Iterator[None]:
        ec = self.execution_context
        if ec.result is None and has_lone_surrogate([ec.query, ec.operation_name, ec.variables]):
            ec.result = _refuse(NOT_UNICODE)
        yield


class SubscriptionsOverWebSocket(SchemaExtension):
    """Refuses a subscription sent over HTTP: it streams over the WebSocket only."""

    def on_execute(self) -> Iterator[None]:
        ec = self.execution_context
        over_http = getattr(ec.context, "websocket", None) is None
        if ec.result is None and over_http and ec.operation_type is OperationType.SUBSCRIPTION:
            ec.result = _refuse(
                "subscriptions run over a WebSocket (graphql-transport-ws), not over HTTP"
            )
        yield
