"""graphql-transport-ws with every operation admitted like an HTTP request.

A WebSocket authenticates once, in ``connection_init``; the operations sent over it later
(``subscribe`` messages: queries, mutations and subscriptions alike) are each checked
again by the view's ``on_ws_operation`` hook before they run: the token must not have
expired meanwhile, and each one is charged to the caller's rate limit. A refused operation
is answered with an ``error`` message carrying the coded error (``UNAUTHENTICATED``,
``RATE_LIMITED``, as over HTTP); the connection stays open.

An admitted operation whose query, operation name or variables hold text that is not
Unicode (a lone surrogate) is refused the same way, ``VALIDATION``, before it runs: the
schema's :class:`~gateway.limits.input.UnicodeInput` cannot refuse a subscription, since
strawberry runs a subscription whatever result an extension set in ``on_execute``.

An admitted subscription then takes one of the process's subscription slots
(:mod:`gateway.limits.subscriptions`), given back when its operation's task ends, however
it ends (completed, ``complete`` from the client, the socket closed); with none free it is
refused the same way, ``RATE_LIMITED``, and nothing runs. Queries and mutations sent over
the socket take no slot: they end on their own.
"""

from __future__ import annotations

from typing import Protocol, cast

from graphql import GraphQLError
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import SubscribeMessage

from gateway.auth import AuthenticationError
from gateway.context import Context
from gateway.errors import coded
from gateway.limits import RateLimitedError, SubscriptionSlot, is_subscription
from gateway.limits.input import NOT_UNICODE, has_lone_surrogate

__all__ = ["AdmittingTransportWSHandler", "OperationAdmission"]


class OperationAdmission(Protocol):
    """The view's hook: raise to refuse an operation of the connection."""

    async def on_ws_operation(self, context: Context) -> None:
        """Raise :class:`AuthenticationError` or :class:`RateLimitedError` to refuse."""

    def take_subscription_slot(self, context: Context) -> SubscriptionSlot:
        """A slot for one more subscription of the connection's caller; raise
        :class:`~gateway.limits.SubscriptionLimitError` to refuse."""


class AdmittingTransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """Strawberry's handler, asking the view before each ``subscribe`` runs."""

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        # Protocol violations (not acknowledged, a duplicate id) are strawberry's to close.
        if self.connection_acknowledged and message["id"] not in self.operations:
            admission = cast("OperationAdmission", self.view)
            try:
                await admission.on_ws_operation(self.context)
            except (AuthenticationError, RateLimitedError) as refusal:
                await self._refuse(message, GraphQLError(str(refusal), original_error=refusal))
                return
            payload = message.get("payload")
            if isinstance(payload, dict) and has_lone_surrogate(
                [payload.get("query"), payload.get("operationName"), payload.get("variables")]
            ):
                await self._refuse(
                    message, GraphQLError(NOT_UNICODE, extensions={"code": "VALIDATION"})
                )
                return
            if isinstance(payload, dict) and is_subscription(
                payload.get("query"),
                payload.get("operationName"),
                self.context.platform.settings.max_query_tokens,
            ):
                try:
                    slot = admission.take_subscription_slot(self.context)
                except RateLimitedError as refusal:
                    await self._refuse(message, GraphQLError(str(refusal), original_error=refusal))
                    return
                try:
                    await super().handle_subscribe(message)
                finally:
                    self._hold_until_done(message["id"], slot)
                return
        await super().handle_subscribe(message)

    def _hold_until_done(self, operation_id: str, slot: SubscriptionSlot) -> None:
        """Give ``slot`` back when the operation just started ends (at once if none did:
        strawberry refused it, e.g. the connection's own limit)."""
        operation = self.operations.get(operation_id)
        task = operation.task if operation is not None else None
        if task is None or task.done():
            slot.release()
        else:
            task.add_done_callback(lambda _: slot.release())

    async def _refuse(self, message: SubscribeMessage, error: GraphQLError) -> None:
        """Answer the operation with an ``error`` message (coded); nothing runs."""
        formatted = coded(error, self.context.request_id).formatted
        await self.send_message({"id": message["id"], "type": "error", "payload": [formatted]})
