"""The per-request context every resolver receives (HTTP requests and WebSocket connections)."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import msgspec
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.enums import ScopeType
from litestar.types import Scope
from strawberry.litestar import BaseContext
from strawberry.types import Info as StrawberryInfo

from gateway.auth import ANONYMOUS, AuthenticationError, Principal, decode_token
from gateway.limits.ratelimit import RateLimiter
from gateway.limits.subscriptions import SubscriptionSlots
from gateway.security.keys import keyring_for

if TYPE_CHECKING:
    from deploy.bootstrap import Platform
    from gateway.subscriptions.hub import LogHub

__all__ = [
    "Context",
    "GatewayState",
    "Info",
    "authenticate",
    "context_getter",
    "request_id_of",
    "run_sync",
]

P = ParamSpec("P")
T = TypeVar("T")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}\Z")


@dataclass
class GatewayState:
    """What the gateway process keeps beside the platform (``app.state.gateway``)."""

    platform: Platform
    limiter: RateLimiter
    """Per token subject."""
    anonymous_limiter: RateLimiter
    """Per client address, for callers without a token."""
    hub: LogHub
    subscriptions: SubscriptionSlots
    """The process's subscription slots (``YANSHEN_MAX_SUBSCRIPTIONS``)."""


class Context(BaseContext, kw_only=True):
    """What resolvers see: the platform, the authenticated caller and the request id.

    ``loaders`` holds the request's dataloaders (:mod:`gateway.dataloaders`); ``hub`` the
    process's LISTEN connection (:mod:`gateway.subscriptions`); ``connection_params`` the
    WebSocket ``connection_init`` payload.
    """

    platform: Platform
    principal: Principal
    request_id: str
    hub: LogHub | None = None
    loaders: dict[Any, Any] = msgspec.field(default_factory=dict)
    connection_params: dict[str, Any] | None = None


Info = StrawberryInfo[Context, None]


def request_id_of(scope: Scope) -> str:
    """The request id the HTTP middleware gave this request (or a fresh one)."""
    state = scope.setdefault("state", {})
    rid = state.get("request_id")
    if not rid:
        sent = ASGIConnection(scope).headers.get("x-request-id", "")
        rid = sent if _REQUEST_ID.match(sent) else uuid.uuid4().hex
        state["request_id"] = rid
    return str(rid)


async def authenticate(authorization: str, platform: Platform) -> Principal:
    """The caller of an ``Authorization`` header value (empty: anonymous)."""
    if not authorization:
        return ANONYMOUS
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationError("use 'Authorization: Bearer <token>'")
    token = token.strip()
    if keyring_for(platform.settings).needs_fetch(token):  # reading a JWKS blocks: a thread
        return await run_sync(decode_token, token, platform.settings)
    return decode_token(token, platform.settings)


async def context_getter(state: State, scope: Scope, response: Any = None) -> Context:
    """Build the context; a token that is present but invalid fails the whole request.

    ``response`` is not used: naming it orders this dependency after the response's (see
    ``gateway.app._new_response``).

    Over HTTP the caller is rate limited here. A WebSocket connection authenticates later,
    with the ``connection_init`` payload (see :mod:`gateway.app`).
    """
    gateway: GatewayState = state.gateway
    request_id = request_id_of(scope)
    principal = ANONYMOUS
    if scope["type"] == ScopeType.HTTP:
        connection: ASGIConnection[Any, Any, Any, Any] = ASGIConnection(scope)
        principal = await authenticate(
            connection.headers.get("authorization", ""), gateway.platform
        )
        if principal.authenticated:
            gateway.limiter.check(f"{principal.tenant}/{principal.subject}")
        else:
            gateway.anonymous_limiter.check(connection.client.host if connection.client else "-")
    return Context(
        platform=gateway.platform, principal=principal, request_id=request_id, hub=gateway.hub
    )


async def run_sync(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run blocking service or database code off the event loop."""
    return await asyncio.to_thread(fn, *args, **kwargs)
