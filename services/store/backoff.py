"""Exponential backoff while a dependency is unavailable (the database for the consumer
loop, the broker for the relay): ``initial`` doubling up to 30 s, back to ``initial`` after a
success (one blip must not slow every later recovery).

>>> b = Backoff(clock=lambda: 100.0)
>>> b.ready(), b.failed(), b.ready(), b.delay
(True, 0.5, False, 0.5)
"""

from __future__ import annotations

import time
from collections.abc import Callable

__all__ = ["Backoff"]


class Backoff:
    """When to try again."""

    def __init__(
        self,
        *,
        initial: float = 0.5,
        maximum: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.initial = initial
        self.maximum = maximum
        self.clock = clock
        self.delay = 0.0
        self._retry_at = 0.0

    def ready(self) -> bool:
        return self.clock() >= self._retry_at

    def failed(self) -> float:
        """Record a failure; returns the seconds until the next try."""
        self.delay = min(max(self.delay * 2, self.initial), self.maximum)
        self._retry_at = self.clock() + self.delay
        return self.delay

    def succeeded(self) -> None:
        self.delay = 0.0
        self._retry_at = 0.0
