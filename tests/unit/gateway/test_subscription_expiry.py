"""A subscription ends when its token expires, whatever it is waiting for (in memory)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator
from types import SimpleNamespace
from typing import Any

import pytest

from gateway.auth import ANONYMOUS, AuthenticationError, Principal, Role
from gateway.subscriptions import seconds_left, until_expiry


def info(expires_in: float | None, leeway: float = 0.0) -> Any:
    """A subscriber whose token expires ``expires_in`` seconds from now (``made``: now)."""
    made, now = time.monotonic(), time.time()
    principal = (
        ANONYMOUS
        if expires_in is None
        else Principal("s", Role.STAFF, "hall-a", expires_at=now + expires_in)
    )
    settings = SimpleNamespace(jwt_leeway_seconds=leeway)
    return SimpleNamespace(
        context=SimpleNamespace(principal=principal, platform=SimpleNamespace(settings=settings)),
        made=made,
    )


class Source:
    """An async generator that yields ``values`` after ``delays`` and records its closing."""

    def __init__(self, *steps: tuple[float, object]) -> None:
        self.steps = steps
        self.closed = False

    async def run(self) -> AsyncGenerator[object, None]:
        try:
            for delay, value in self.steps:
                await asyncio.sleep(delay)
                yield value
            await asyncio.sleep(3600)  # waits for a commit that never comes
        finally:
            self.closed = True


async def collect(info: Any, source: Source) -> tuple[list[object], BaseException | None, float]:
    """The values delivered, the error that ended the subscription, and when (at most 3 s),
    in seconds since ``info`` was made: its token's expiry counts from then, so a pause before
    the subscription starts (a busy machine) cannot make it seem to end before expiry."""
    values: list[object] = []
    start = info.made

    async def run() -> None:
        async for value in until_expiry(info, source.run()):
            values.append(value)

    try:
        await asyncio.wait_for(run(), timeout=3)
    except (AuthenticationError, TimeoutError) as error:
        return values, error, time.monotonic() - start
    return values, None, time.monotonic() - start


def test_a_waiting_subscription_ends_at_expiry():
    source = Source((0, "now"))
    values, error, elapsed = asyncio.run(collect(info(0.3), source))
    assert values == ["now"]
    assert isinstance(error, AuthenticationError)
    assert "expired" in str(error)
    assert 0.25 <= elapsed < 1.0  # at expiry, not at the next value
    assert source.closed


def test_no_first_value_is_delivered_after_expiry():
    source = Source((0.5, "too late"))  # e.g. a slow read of the read model
    values, error, elapsed = asyncio.run(collect(info(0.2), source))
    assert values == []
    assert isinstance(error, AuthenticationError)
    assert elapsed < 0.45
    assert source.closed


def test_an_expired_token_gets_nothing():
    source = Source((0, "now"))
    values, error, _ = asyncio.run(collect(info(-1), source))
    assert (values, type(error)) == ([], AuthenticationError)


def test_expiry_allows_the_verification_leeway():
    source = Source((0, "now"), (0.2, "later"))
    values, error, elapsed = asyncio.run(collect(info(-0.5, leeway=1.0), source))
    assert values == ["now", "later"]
    assert isinstance(error, AuthenticationError)
    assert 0.4 <= elapsed < 1.0


def test_anonymous_subscriptions_do_not_expire():
    async def scenario() -> list[object]:
        values: list[object] = []
        async for value in until_expiry(info(None), Source((0, 1), (0, 2)).run()):
            values.append(value)
            if len(values) == 2:
                break
        return values

    assert asyncio.run(scenario()) == [1, 2]


@pytest.mark.parametrize(
    ("expires_in", "leeway", "expired"), [(10, 0, False), (-1, 0, True), (-1, 5, False)]
)
def test_seconds_left_counts_the_leeway(expires_in, leeway, expired):
    left = seconds_left(info(expires_in).context.principal, leeway)
    assert (left is not None and left <= 0) is expired
    assert seconds_left(ANONYMOUS, leeway) is None
