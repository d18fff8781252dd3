"""One LISTEN connection per gateway process, fanning hall-log moves out to subscribers.

Appends NOTIFY ``yanshen_events`` with ``'<hall>:<position>'`` after they commit. The hub
listens once (started with the first subscriber, reconnecting with backoff if the database
goes away) and wakes the subscribers of that hall. A subscriber keeps only the latest
position (a slow client skips intermediate moves, it never piles up a queue); after a
reconnect every subscriber is woken, since moves may have been missed meanwhile.

The hub also keeps the process's :class:`~gateway.subscriptions.positions.ProjectionPositions`
(``hub.positions``): after a commit, the subscribers of a hall's read model wait on one
poller of the projection's position, however many they are.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import psycopg
from prometheus_client import Gauge

from gateway.subscriptions.positions import ProjectionPositions
from services.store.subscription import CHANNEL

__all__ = ["HallWatch", "LogHub"]

log = logging.getLogger(__name__)

APPLICATION_NAME = "yanshen-gateway-hub"
"""How the hub's connection shows in ``pg_stat_activity``."""

SUBSCRIBERS = Gauge("yanshen_subscriptions_active", "Subscribers of halls' log moves")


@dataclass(eq=False)
class HallWatch:
    """One subscriber's mailbox: the latest position seen (``0``: unknown, re-read)."""

    hall: str
    position: int = 0
    _event: asyncio.Event = field(default_factory=asyncio.Event)

    def push(self, position: int) -> None:
        """A move to ``position``; ``0`` after a reconnect: moves may have been missed, so
        the position is forgotten and the reader re-reads the log's head."""
        self.position = max(self.position, position) if position else 0
        self._event.set()

    async def wait(self, timeout: float | None = None) -> bool:
        """Wait for a move; ``False`` when ``timeout`` passed first."""
        try:
            await asyncio.wait_for(self._event.wait(), timeout)
        except TimeoutError:
            return False
        self._event.clear()
        return True


class LogHub:
    """Listens on ``yanshen_events`` for the process; hands out :class:`HallWatch` es."""

    def __init__(self, database_url: str, *, role: str = "yanshen_app") -> None:
        self._url = database_url
        self._role = role
        self._watches: dict[str, set[HallWatch]] = {}
        self._task: asyncio.Task[None] | None = None
        self._listening = asyncio.Event()
        self._closed = False
        self.positions = ProjectionPositions()
        """How far the read models followed by subscribers have come, polled once each."""

    @contextlib.asynccontextmanager
    async def watch(self, hall: str) -> AsyncIterator[HallWatch]:
        """Watch ``hall``; once entered, every later commit of the hall wakes the watch."""
        if self._closed:
            raise RuntimeError("the hub is closed")
        if self._task is None or self._task.done():
            self._listening = asyncio.Event()
            self._task = asyncio.create_task(self._run(), name="yanshen-log-hub")
        watch = HallWatch(hall)
        self._watches.setdefault(hall, set()).add(watch)
        SUBSCRIBERS.inc()
        try:
            await asyncio.wait_for(self._listening.wait(), timeout=10)
            yield watch
        finally:
            SUBSCRIBERS.dec()
            halls = self._watches.get(hall)
            if halls is not None:
                halls.discard(watch)
                if not halls:
                    del self._watches[hall]

    def _dispatch(self, payload: str) -> None:
        hall, _, position = payload.rpartition(":")
        for watch in self._watches.get(hall, ()):
            watch.push(int(position) if position.isdigit() else 0)

    async def _run(self) -> None:
        backoff = 0.1
        while not self._closed:
            try:
                async with await psycopg.AsyncConnection.connect(
                    self._url, autocommit=True, application_name=APPLICATION_NAME
                ) as conn:
                    await conn.execute(f"SET ROLE {self._role}")
                    await conn.execute(f"LISTEN {CHANNEL}")
                    if self._listening.is_set():  # a reconnect: moves may have been missed
                        for watches in self._watches.values():
                            for watch in watches:
                                watch.push(0)
                    self._listening.set()
                    backoff = 0.1
                    async for notify in conn.notifies():
                        self._dispatch(notify.payload)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("log hub: LISTEN connection lost; reconnecting", exc_info=True)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)

    async def close(self) -> None:
        """Stop listening (the application's shutdown)."""
        self._closed = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
