"""Per-caller rate limit: a token bucket per token subject (or client address).

Each caller may send ``burst`` requests at once, refilled at ``per_minute`` a minute; a
request over the limit gets ``RATE_LIMITED`` (HTTP 429) with ``Retry-After``. Buckets live
in the process: with N gateway replicas behind a balancer a caller gets up to N times the
rate (documented in docs/gateway.md).
"""

from __future__ import annotations

import math
import threading
import time

__all__ = ["RateLimitedError", "RateLimiter"]

MAX_BUCKETS = 100_000
"""Above this many callers, full buckets (idle callers) are forgotten."""


class RateLimitedError(Exception):
    """The caller sent more requests than the rate limit allows."""

    code = "RATE_LIMITED"

    def __init__(self, retry_after: float) -> None:
        self.retry_after = max(1, math.ceil(retry_after))
        super().__init__(
            f"too many requests; retry after {self.retry_after} s (the limit is per token)"
        )


class RateLimiter:
    """Token buckets keyed by caller; ``per_minute == 0`` turns limiting off.

    >>> limiter = RateLimiter(per_minute=60, burst=2)
    >>> limiter.check("a"); limiter.check("a")
    >>> try:
    ...     limiter.check("a")
    ... except RateLimitedError as e:
    ...     e.retry_after
    1
    """

    def __init__(self, *, per_minute: int, burst: int) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(max(burst, 1))
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def check(self, caller: str) -> None:
        """Take one request from ``caller``'s bucket or raise :class:`RateLimitedError`."""
        if not self.enabled:
            return
        now = time.monotonic()
        with self._lock:
            tokens, stamp = self._buckets.get(caller, (self.burst, now))
            tokens = min(self.burst, tokens + (now - stamp) * self.rate)
            if tokens < 1.0:
                self._buckets[caller] = (tokens, now)
                raise RateLimitedError((1.0 - tokens) / self.rate)
            self._buckets[caller] = (tokens - 1.0, now)
            if len(self._buckets) > MAX_BUCKETS:
                self._forget_idle(now)

    def _forget_idle(self, now: float) -> None:
        full = [k for k, (t, s) in self._buckets.items() if t + (now - s) * self.rate >= self.burst]
        for key in full:
            del self._buckets[key]
