"""One poller per (hall, projection) for all its waiters (in memory, a fake position)."""

from __future__ import annotations

import asyncio

import pytest

from gateway.subscriptions.positions import ProjectionPositions


class Projection:
    """A projection's position; each read is counted and waits for ``release``."""

    def __init__(self, position: int = 0) -> None:
        self.position = position
        self.reads = 0
        self.failure: Exception | None = None
        self.release = asyncio.Event()
        self.release.set()

    async def read(self, consumer: str, hall: str) -> int:
        assert consumer == "projection:catalog"
        self.reads += 1
        await self.release.wait()
        if self.failure is not None:
            raise self.failure
        return self.position


async def followers(
    positions: ProjectionPositions, projection: Projection, n: int, target: int
) -> list[asyncio.Task[bool]]:
    async def wait() -> bool:
        async with positions.follow("hall-a", "catalog", projection.read) as feed:
            return await feed.reach(target, timeout=60)

    tasks = [asyncio.create_task(wait()) for _ in range(n)]
    await asyncio.sleep(0)  # every follower waits now
    return tasks


def test_waiters_of_the_same_position_share_one_read():
    async def scenario() -> tuple[list[bool], int, int]:
        positions, projection = ProjectionPositions(), Projection(position=7)
        tasks = await followers(positions, projection, 50, target=7)
        reached = list(await asyncio.gather(*tasks))
        return reached, projection.reads, positions.feeds

    assert asyncio.run(scenario()) == ([True] * 50, 1, 0)


def test_a_position_already_read_is_not_read_again_while_followed():
    async def scenario() -> int:
        positions, projection = ProjectionPositions(), Projection(position=7)
        async with positions.follow("hall-a", "catalog", projection.read) as feed:
            assert await feed.reach(7, timeout=60)
            assert await feed.reach(5, timeout=60)  # a subscriber late to the commit
            assert await feed.reach(7, timeout=60)
        return projection.reads

    assert asyncio.run(scenario()) == 1


def test_a_failed_read_reaches_every_waiter():
    async def scenario() -> list[BaseException | bool]:
        positions, projection = ProjectionPositions(), Projection()
        projection.failure = ConnectionError("the database is gone")
        tasks = await followers(positions, projection, 3, target=1)
        return list(await asyncio.gather(*tasks, return_exceptions=True))

    outcomes = asyncio.run(scenario())
    assert [type(o) for o in outcomes] == [ConnectionError] * 3


def test_the_poller_stops_when_its_last_waiter_goes_away():
    async def scenario() -> tuple[list[str], int, int]:
        positions, projection = ProjectionPositions(), Projection(position=0)
        tasks = await followers(positions, projection, 2, target=3)
        while projection.reads < 2:  # behind: the poller polls on
            await asyncio.sleep(0.01)
        projection.release.clear()  # the next read hangs, as a slow query would
        while projection.reads < 3:
            await asyncio.sleep(0.01)
        for task in tasks:
            task.cancel()  # the clients disconnect
        for task in tasks:
            with pytest.raises(asyncio.CancelledError):
                await task
        for _ in range(3):
            await asyncio.sleep(0)
        left = [t.get_name() for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        return left, projection.reads, positions.feeds

    assert asyncio.run(scenario()) == ([], 3, 0)
