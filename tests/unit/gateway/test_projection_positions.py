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


class ReadModel:
    """A read model's reads: each counted, each waiting for ``release``."""

    def __init__(self) -> None:
        self.reads = 0
        self.release = asyncio.Event()

    async def read(self) -> int:
        self.reads += 1
        answer = self.reads
        await self.release.wait()
        return answer


def test_followers_woken_together_with_the_same_key_read_once():
    async def scenario() -> tuple[list[int], int]:
        model, positions = ReadModel(), ProjectionPositions()
        async with positions.follow("hall-a", "catalog", Projection(7).read) as feed:
            tasks = [asyncio.create_task(feed.read(model.read, 7, "k")) for _ in range(20)]
            await asyncio.sleep(0)
            model.release.set()
            return list(await asyncio.gather(*tasks)), model.reads

    assert asyncio.run(scenario()) == ([1] * 20, 1)


def test_a_read_is_shared_only_by_its_key_and_only_with_followers_it_includes():
    async def scenario() -> list[int]:
        model, positions = ReadModel(), ProjectionPositions()
        async with positions.follow("hall-a", "catalog", Projection(9).read) as feed:
            first = asyncio.create_task(feed.read(model.read, 7, "k"))
            await asyncio.sleep(0)
            tasks = [
                asyncio.create_task(feed.read(model.read, 5, "k")),  # included: joins
                asyncio.create_task(feed.read(model.read, 9, "k")),  # a later commit: its own
                asyncio.create_task(feed.read(model.read, 7, "other")),  # another key
                asyncio.create_task(feed.read(model.read, 7)),  # no key: its own
            ]
            await asyncio.sleep(0)
            model.release.set()
            return [await first, *await asyncio.gather(*tasks)]

    shared, joined, *own = asyncio.run(scenario())
    assert (shared, joined) == (1, 1)
    assert sorted(own) == [2, 3, 4]  # three reads of their own


def test_a_finished_read_is_not_kept_for_later_followers():
    async def scenario() -> list[int]:
        model, positions = ReadModel(), ProjectionPositions()
        model.release.set()
        async with positions.follow("hall-a", "catalog", Projection(7).read) as feed:
            return [await feed.read(model.read, 7, "k"), await feed.read(model.read, 7, "k")]

    assert asyncio.run(scenario()) == [1, 2]


def test_a_follower_that_goes_away_leaves_the_shared_read_to_the_others():
    async def scenario() -> tuple[int, int]:
        model, positions = ReadModel(), ProjectionPositions()
        async with positions.follow("hall-a", "catalog", Projection(7).read) as feed:
            leaving = asyncio.create_task(feed.read(model.read, 7, "k"))
            staying = asyncio.create_task(feed.read(model.read, 7, "k"))
            await asyncio.sleep(0)
            leaving.cancel()
            await asyncio.sleep(0)
            model.release.set()
            return await staying, model.reads

    assert asyncio.run(scenario()) == (1, 1)


def test_a_failed_shared_read_fails_every_follower_of_it():
    async def scenario() -> list[BaseException | int]:
        positions = ProjectionPositions()
        release = asyncio.Event()

        async def failing() -> int:
            await release.wait()
            raise RuntimeError("the database is gone")

        async with positions.follow("hall-a", "catalog", Projection(7).read) as feed:
            tasks = [asyncio.create_task(feed.read(failing, 7, "k")) for _ in range(3)]
            await asyncio.sleep(0)
            release.set()
            return list(await asyncio.gather(*tasks, return_exceptions=True))

    failures = asyncio.run(scenario())
    assert [str(f) for f in failures] == ["the database is gone"] * 3
