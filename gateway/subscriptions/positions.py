"""How far read models have come, polled once per process for all their subscribers.

Projection workers do not notify: after a commit of a hall, a read-model subscription
(:func:`~gateway.subscriptions.sources.projected_changes`) waits until the projection's
position in ``consumer_positions`` reaches the commit, then reads. Every subscriber of the
same projection of the same hall waits for the same answer, so they share one
:class:`ProjectionFeed` and its one poller: N screens of a hall cost one position query per
poll, not N (``yanshen_subscription_position_polls_total``).

Their reads are shared too, when the subscription names what it reads (``share``): the
subscribers woken by the same poll start one read, not N (:meth:`ProjectionFeed.read`; only
a read in flight is shared, none is kept, so a later subscriber never gets an old answer).

The poller runs only while someone waits: it starts with the first waiter whose position is
not known to be reached, polls at once, then every 20 ms backing off to 200 ms, and again at
once when a waiter asks for a later position (a new commit); it stops when the last waiter
has what it waited for, gave up (its 5 s) or went away (the client disconnected). The last
position read is kept while the feed has followers, so a subscriber that comes late to a
commit others already saw reached does not poll again.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from prometheus_client import Counter, Gauge

__all__ = [
    "POLLS",
    "POLL_BACKOFF",
    "POLL_FIRST_SECONDS",
    "POLL_MAX_SECONDS",
    "READS",
    "ProjectionFeed",
    "ProjectionPositions",
]

POLL_FIRST_SECONDS = 0.02
"""The pause after the first poll of a wait that found the projection behind."""
POLL_MAX_SECONDS = 0.2
"""The longest pause between polls."""
POLL_BACKOFF = 1.5
"""Each pause is this much longer than the last, up to :data:`POLL_MAX_SECONDS`."""

POLLS = Counter(
    "yanshen_subscription_position_polls_total",
    "Reads of a projection's position on behalf of read-model subscriptions, by projection",
    ["projection"],
)
"""Counted by the reader (:func:`gateway.subscriptions.sources.consumer_position`)."""
POLLERS = Gauge(
    "yanshen_subscription_position_pollers",
    "Position pollers running: (hall, projection) pairs some subscriber waits for",
)

READS = Counter(
    "yanshen_subscription_reads_total",
    "Reads of a read model on behalf of subscriptions (one shared by several counts once),"
    " by projection",
    ["projection"],
)

T = TypeVar("T")

PositionReader = Callable[[str, str], Awaitable[int]]
"""``read(consumer, hall)``: how far ``consumer`` (``projection:<name>``) has processed the
hall's log (``0``: not at all)."""


@dataclass(eq=False)
class _Waiter:
    position: int
    reached: asyncio.Future[None] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class ProjectionFeed:
    """Projection ``projection`` of ``hall``, followed by this process's subscribers."""

    def __init__(self, hall: str, projection: str, read: PositionReader) -> None:
        self.hall = hall
        self.projection = projection
        self.consumer = f"projection:{projection}"
        self.followers = 0
        self.position = 0
        """The projection's position at the last poll (``0``: not polled yet)."""
        self._read = read
        self._waiters: set[_Waiter] = set()
        self._poller: asyncio.Task[None] | None = None
        self._nudge = asyncio.Event()
        self._reads: dict[Hashable, tuple[int, asyncio.Task[Any]]] = {}
        """Reads in flight by share key: the log position each includes, and its task."""

    async def read(
        self, read: Callable[[], Awaitable[T]], position: int, share: Hashable | None = None
    ) -> T:
        """``read()`` of the read model once it includes the hall's log up to ``position``
        (:meth:`reach` first). With a ``share`` key, a read of the same key already in
        flight for ``position`` or later is joined instead of starting another: every
        subscriber woken by the same commit reads once. A follower that goes away does not
        cancel a read others wait for."""
        held = self._reads.get(share) if share is not None else None
        if held is None or held[0] < position or held[1].done():
            READS.labels(self.projection).inc()
            if share is None:
                return await read()
            task = asyncio.ensure_future(read())
            held = self._reads[share] = (position, task)
            task.add_done_callback(lambda done: self._forget(share, done))
        return await asyncio.shield(held[1])

    def _forget(self, share: Hashable, done: asyncio.Task[Any]) -> None:
        held = self._reads.get(share)
        if held is not None and held[1] is done:
            del self._reads[share]
        if not done.cancelled():
            done.exception()  # retrieved: a failure nobody awaits any more is not logged

    async def reach(self, position: int, timeout: float) -> bool:
        """Wait until the projection includes the hall's log up to ``position``; ``False``
        when ``timeout`` seconds passed first."""
        if position <= self.position:
            return True
        waiter = _Waiter(position)
        if all(w.position < position for w in self._waiters):
            self._nudge.set()  # a later commit than anyone waits for: poll now
        self._waiters.add(waiter)
        if self._poller is None or self._poller.done():
            self._poller = asyncio.create_task(
                self._poll(), name=f"yanshen-positions-{self.projection}"
            )
        try:
            async with asyncio.timeout(timeout):
                await waiter.reached
            return True
        except TimeoutError:
            return False
        finally:
            self._waiters.discard(waiter)
            if not self._waiters:
                self.stop()

    def stop(self) -> None:
        """Stop polling (nobody waits)."""
        if self._poller is not None:
            self._poller.cancel()
            self._poller = None

    async def _poll(self) -> None:
        POLLERS.inc()
        try:
            delay = POLL_FIRST_SECONDS
            while self._waiters:
                self._nudge.clear()
                try:
                    self.position = await self._read(self.consumer, self.hall)
                except Exception as error:  # the database is gone: every waiter learns it
                    self._settle(self._waiters, error)
                    return
                self._settle({w for w in self._waiters if w.position <= self.position})
                if not self._waiters:
                    return
                if self._nudge.is_set():
                    delay = POLL_FIRST_SECONDS
                    continue
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(delay):
                        await self._nudge.wait()
                        delay = POLL_FIRST_SECONDS / POLL_BACKOFF
                delay = min(delay * POLL_BACKOFF, POLL_MAX_SECONDS)
        finally:
            POLLERS.dec()

    def _settle(self, waiters: set[_Waiter], error: Exception | None = None) -> None:
        """Wake ``waiters``: their position was reached (or reading it failed)."""
        for waiter in list(waiters):
            self._waiters.discard(waiter)
            if waiter.reached.done():
                continue
            if error is None:
                waiter.reached.set_result(None)
            else:
                waiter.reached.set_exception(error)


class ProjectionPositions:
    """The process's :class:`ProjectionFeed` s, one per (hall, projection) followed."""

    def __init__(self) -> None:
        self._feeds: dict[tuple[str, str], ProjectionFeed] = {}

    @property
    def feeds(self) -> int:
        """How many (hall, projection) pairs are followed."""
        return len(self._feeds)

    @contextlib.asynccontextmanager
    async def follow(
        self, hall: str, projection: str, read: PositionReader
    ) -> AsyncIterator[ProjectionFeed]:
        """Follow ``projection`` of ``hall``, with its other followers in the process.
        ``read`` reads its position; every follower's does the same, the first one's is
        used."""
        key = (hall, projection)
        feed = self._feeds.get(key)
        if feed is None:
            feed = self._feeds[key] = ProjectionFeed(hall, projection, read)
        feed.followers += 1
        try:
            yield feed
        finally:
            feed.followers -= 1
            if feed.followers == 0:
                feed.stop()
                if self._feeds.get(key) is feed:
                    del self._feeds[key]
