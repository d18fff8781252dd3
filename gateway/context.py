"""The per-request context every resolver receives."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from litestar import Request
from strawberry.litestar import BaseContext
from strawberry.types import Info as StrawberryInfo

from gateway.auth import ANONYMOUS, AuthenticationError, Principal, decode_token

if TYPE_CHECKING:
    from deploy.bootstrap import Platform

__all__ = ["Context", "Info", "context_getter", "run_sync"]

P = ParamSpec("P")
T = TypeVar("T")


class Context(BaseContext, kw_only=True):
    """What resolvers see: the platform, the authenticated caller and the request id."""

    platform: Platform
    principal: Principal
    request_id: str


Info = StrawberryInfo[Context, None]


async def context_getter(request: Request) -> Context:  # type: ignore[type-arg]
    """Build the context; a token that is present but invalid fails the whole request."""
    platform: Platform = request.app.state.platform
    header = request.headers.get("authorization", "")
    principal = ANONYMOUS
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationError("use 'Authorization: Bearer <token>'")
        principal = decode_token(token.strip(), platform.settings)
    request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
    request.state.request_id = request_id
    return Context(platform=platform, principal=principal, request_id=request_id)


async def run_sync(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run blocking service or database code off the event loop."""
    return await asyncio.to_thread(fn, *args, **kwargs)
