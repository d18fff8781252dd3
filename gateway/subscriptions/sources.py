"""Subscription sources built on the hub: a hall's log moves, and read models that follow.

A subscription resolver is an async generator; these give it what to iterate::

    @allow(*HALL_STAFF)
    @strawberry.subscription
    async def queue_board(self, info: Info) -> AsyncGenerator[QueueBoard, None]:
        hall = hall_of(info)
        async for rows in projected_changes(
            info, hall, "queue_board", lambda: board_rows(info.context.platform.app_pool, hall)
        ):
            yield QueueBoard.from_rows(rows)

Each iteration starts with the current state, then follows every commit of the hall
(several quick commits may arrive as one). A subscription ends with ``UNAUTHENTICATED``
when its token expires.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, TypeVar

from gateway.auth import AuthenticationError
from gateway.context import run_sync
from projections.runtime.db import tenant_connection
from services.store.pool import Pool

if TYPE_CHECKING:
    from gateway.context import Info

__all__ = ["hall_log_moves", "log_head", "projected_changes", "wait_for_projection"]

T = TypeVar("T")

PROJECTION_WAIT_SECONDS = 5.0
"""How long a read-model subscription waits for its projection to reach a log move."""


def log_head(pool: Pool, hall: str) -> int:
    """The position of the last event of ``hall`` (0: none yet)."""
    with tenant_connection(pool, hall) as conn:
        row = conn.execute("SELECT position FROM tenant_heads").fetchone()
    return int(row[0]) if row else 0


def consumer_position(pool: Pool, consumer: str, hall: str) -> int:
    """How far ``consumer`` (e.g. ``projection:catalog``) has processed ``hall``'s log."""
    with tenant_connection(pool, hall) as conn:
        row = conn.execute(
            "SELECT position FROM consumer_positions WHERE consumer = %s", (consumer,)
        ).fetchone()
    return int(row[0]) if row else 0


def _remaining(info: Info) -> float | None:
    expires = info.context.principal.expires_at
    return None if expires is None else expires - time.time()


async def hall_log_moves(info: Info, hall: str) -> AsyncIterator[int]:
    """The head position of ``hall``'s log now, then after every move."""
    hub = info.context.hub
    if hub is None:
        raise RuntimeError("subscriptions need the gateway's log hub")
    pool = info.context.platform.app_pool
    async with hub.watch(hall) as watch:
        last = await run_sync(log_head, pool, hall)
        yield last
        while True:
            remaining = _remaining(info)
            if remaining is not None and remaining <= 0:
                raise AuthenticationError("the token has expired; subscribe again with a new one")
            if not await watch.wait(remaining):
                continue  # the token expired while waiting: raised above
            head = watch.position or await run_sync(log_head, pool, hall)
            if head > last:
                last = head
                yield head


async def wait_for_projection(
    info: Info, projection: str, hall: str, position: int, timeout: float = PROJECTION_WAIT_SECONDS
) -> bool:
    """Wait until read model ``projection`` includes ``hall``'s log up to ``position``."""
    pool = info.context.platform.app_pool
    consumer = f"projection:{projection}"
    deadline = time.monotonic() + timeout
    delay = 0.02
    while await run_sync(consumer_position, pool, consumer, hall) < position:
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(delay)
        delay = min(delay * 1.5, 0.2)
    return True


async def projected_changes(
    info: Info, hall: str, projection: str, read: Callable[[], T]
) -> AsyncIterator[T]:
    """``read()`` now, then again whenever ``hall``'s log moved and read model
    ``projection`` caught up with it; a value equal to the last one is not repeated."""
    previous: object = object()
    first = True
    async for position in hall_log_moves(info, hall):
        if not first:  # the first value is the read model as it is now
            await wait_for_projection(info, projection, hall, position)
        first = False
        value = await run_sync(read)
        if value != previous:
            previous = value
            yield value
