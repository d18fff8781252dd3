"""A token's expiry on long-lived connections: the WebSocket and its subscriptions.

A token is expired from ``exp + YANSHEN_JWT_LEEWAY_SECONDS`` on, as when a request's token
is verified (:func:`gateway.auth.decode_token`): what an HTTP request would be refused with
is refused over the WebSocket too, and a subscription ends then.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncGenerator, AsyncIterator
from typing import TYPE_CHECKING, TypeVar

from gateway.auth import AuthenticationError, Principal

if TYPE_CHECKING:
    from gateway.context import Info

__all__ = ["seconds_left", "until_expiry"]

T = TypeVar("T")

EXPIRED = "the token has expired; subscribe again with a new one"


def seconds_left(principal: Principal, leeway: float) -> float | None:
    """Seconds until ``principal``'s token counts as expired (``<= 0``: it does now);
    ``None`` for a caller without a token."""
    if principal.expires_at is None:
        return None
    return principal.expires_at + leeway - time.time()


async def until_expiry(info: Info, source: AsyncGenerator[T, None]) -> AsyncIterator[T]:
    """``source``'s values until the caller's token expires, then ``UNAUTHENTICATED``.

    The subscription ends at expiry even while ``source`` waits (for a commit, for a
    projection, for a read), and no value is delivered after it, the first one included.
    """
    leeway = info.context.platform.settings.jwt_leeway_seconds
    principal = info.context.principal
    async with contextlib.aclosing(source):
        while True:
            left = seconds_left(principal, leeway)
            if left is not None and left <= 0:
                raise AuthenticationError(EXPIRED)
            deadline = asyncio.timeout(left)
            try:
                async with deadline:
                    value = await anext(source)
            except StopAsyncIteration:
                return
            except TimeoutError:
                if deadline.expired():
                    raise AuthenticationError(EXPIRED) from None
                raise
            left = seconds_left(principal, leeway)
            if left is not None and left <= 0:  # ready just as the deadline passed
                raise AuthenticationError(EXPIRED)
            yield value
