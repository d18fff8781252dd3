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
when its token expires (:func:`~gateway.subscriptions.expiry.until_expiry`: with the
leeway token verification allows, while waiting too, and never after delivering a value
computed too late).

After a commit, the subscribers of a read model wait for its projection together: one
poller per (hall, projection) in the process (:mod:`gateway.subscriptions.positions`), so
a hall's hundred screens cost one position query per poll; those whose reads name the same
``share`` key then run one ``read()`` between them, the others each their own.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Hashable
from contextlib import AbstractAsyncContextManager
from functools import partial
from typing import TYPE_CHECKING, TypeVar

from gateway.context import run_sync
from gateway.subscriptions.expiry import until_expiry
from gateway.subscriptions.positions import POLLS, ProjectionFeed
from projections.runtime.db import tenant_connection
from services.store.pool import Pool

if TYPE_CHECKING:
    from gateway.context import Info

__all__ = ["hall_log_moves", "log_head", "projected_changes", "wait_for_projection"]

T = TypeVar("T")

PROJECTION_WAIT_SECONDS = 5.0
"""How long a read-model subscription waits for its projection to reach a log move (then
it reads anyway)."""


def log_head(pool: Pool, hall: str) -> int:
    """The position of the last event of ``hall`` (0: none yet)."""
    with tenant_connection(pool, hall) as conn:
        row = conn.execute("SELECT position FROM tenant_heads").fetchone()
    return int(row[0]) if row else 0


def consumer_position(pool: Pool, consumer: str, hall: str) -> int:
    """How far ``consumer`` (e.g. ``projection:catalog``) has processed ``hall``'s log
    (counted in ``yanshen_subscription_position_polls_total``)."""
    POLLS.labels(consumer.removeprefix("projection:")).inc()
    with tenant_connection(pool, hall) as conn:
        row = conn.execute(
            "SELECT position FROM consumer_positions WHERE consumer = %s", (consumer,)
        ).fetchone()
    return int(row[0]) if row else 0


def hall_log_moves(info: Info, hall: str) -> AsyncIterator[int]:
    """The head position of ``hall``'s log now, then after every move, until the caller's
    token expires."""
    return until_expiry(info, _log_moves(info, hall))


async def _log_moves(info: Info, hall: str) -> AsyncGenerator[int, None]:
    hub = info.context.hub
    if hub is None:
        raise RuntimeError("subscriptions need the gateway's log hub")
    pool = info.context.platform.app_pool
    async with hub.watch(hall) as watch:
        last = await run_sync(log_head, pool, hall)
        yield last
        while True:
            await watch.wait()
            head = watch.position or await run_sync(log_head, pool, hall)
            if head > last:
                last = head
                yield head


async def wait_for_projection(
    info: Info, projection: str, hall: str, position: int, timeout: float = PROJECTION_WAIT_SECONDS
) -> bool:
    """Wait until read model ``projection`` includes ``hall``'s log up to ``position``
    (``False``: ``timeout`` passed first), polling with the process's other waiters."""
    async with _follow(info, hall, projection) as feed:
        return await feed.reach(position, timeout)


def _follow(info: Info, hall: str, projection: str) -> AbstractAsyncContextManager[ProjectionFeed]:
    """Follow ``projection`` of ``hall`` with the process's other subscribers (one poller)."""
    hub = info.context.hub
    if hub is None:
        raise RuntimeError("subscriptions need the gateway's log hub")
    pool = info.context.platform.app_pool

    async def read(consumer: str, tenant: str) -> int:
        return await run_sync(consumer_position, pool, consumer, tenant)

    return hub.positions.follow(hall, projection, read)


def projected_changes(
    info: Info,
    hall: str,
    projection: str,
    read: Callable[[], T],
    share: Hashable | None = None,
) -> AsyncIterator[T]:
    """``read()`` now, then again whenever ``hall``'s log moved and read model
    ``projection`` caught up with it; a value equal to the last one is not repeated. Ends
    when the caller's token expires.

    ``share``: a key naming everything ``read`` depends on besides the hall (the same for
    every caller whose ``read`` gives the same value): the process's subscribers with the
    same key read once per commit (``None``: the read is the caller's own)."""
    return until_expiry(info, _projected_changes(info, hall, projection, read, share))


async def _projected_changes(
    info: Info, hall: str, projection: str, read: Callable[[], T], share: Hashable | None
) -> AsyncGenerator[T, None]:
    previous: object = object()
    first = True
    async with (
        _follow(info, hall, projection) as feed,
        contextlib.aclosing(_log_moves(info, hall)) as moves,
    ):
        async for position in moves:
            if not first:  # the first value is the read model as it is now
                await feed.reach(position, PROJECTION_WAIT_SECONDS)
            first = False
            value = await feed.read(partial(run_sync, read), position, share)
            if value != previous:
                previous = value
                yield value
