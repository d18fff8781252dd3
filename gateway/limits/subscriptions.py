"""How many subscriptions one gateway process runs at once.

Every running subscription holds a task and, after each commit of its hall, reads its read
model; without a bound, enough sockets (anonymous ones need no token, and are not rate
limited by default) could take the database pool from every hall's requests. A process runs
at most ``YANSHEN_MAX_SUBSCRIPTIONS`` subscriptions, of them at most
``YANSHEN_MAX_ANONYMOUS_SUBSCRIPTIONS`` without a token; one more is refused before it runs
with ``RATE_LIMITED`` (:class:`SubscriptionLimitError`). A slot is given back when its
subscription ends: completed, ended by the client, refused by its resolver, or its socket
closed.
"""

from __future__ import annotations

import threading

from prometheus_client import Counter, Gauge

from gateway.limits.ratelimit import RateLimitedError

__all__ = ["SubscriptionLimitError", "SubscriptionSlot", "SubscriptionSlots"]

RETRY_AFTER_SECONDS = 30
"""What a refused caller is told to wait: subscriptions are long-lived, slots free slowly."""

ADMITTED = Gauge(
    "yanshen_subscriptions_admitted",
    "Subscriptions the process runs, by caller (token or anonymous)",
    ["caller"],
)
REFUSED = Counter(
    "yanshen_subscriptions_refused_total",
    "Subscriptions refused because the process ran as many as it may, by caller",
    ["caller"],
)


class SubscriptionLimitError(RateLimitedError):
    """The process runs as many subscriptions (of this kind of caller) as it may."""

    def __init__(self, limit: int, anonymous: bool) -> None:
        super().__init__(RETRY_AFTER_SECONDS)
        whose = "without a token " if anonymous else ""
        self.args = (
            f"this server runs as many subscriptions {whose}as it may ({limit}); "
            f"end subscriptions you no longer need, or subscribe again after "
            f"{self.retry_after} s" + (" (or with a token)" if anonymous else ""),
        )


class SubscriptionSlot:
    """One admitted subscription; :meth:`release` gives its slot back (once)."""

    def __init__(self, slots: SubscriptionSlots, anonymous: bool) -> None:
        self._slots = slots
        self.anonymous = anonymous
        self._released = False

    def release(self) -> None:
        if not self._released:
            self._released = True
            self._slots._give_back(self)


class SubscriptionSlots:
    """The process's subscription slots: ``total`` in all, ``anonymous`` of them for callers
    without a token.

    >>> slots = SubscriptionSlots(total=2, anonymous=1)
    >>> first = slots.take(anonymous=True)
    >>> try:
    ...     slots.take(anonymous=True)
    ... except SubscriptionLimitError as e:
    ...     e.code
    'RATE_LIMITED'
    >>> first.release(); first.release()  # once only
    >>> slots.running, slots.running_anonymous
    (0, 0)
    """

    def __init__(self, *, total: int, anonymous: int) -> None:
        self.total = total
        self.anonymous = min(anonymous, total)
        self.running = 0
        self.running_anonymous = 0
        self._lock = threading.Lock()

    def take(self, *, anonymous: bool) -> SubscriptionSlot:
        """A slot for one more subscription, or :class:`SubscriptionLimitError`."""
        caller = "anonymous" if anonymous else "token"
        with self._lock:
            if anonymous and self.running_anonymous >= self.anonymous:
                REFUSED.labels(caller).inc()
                raise SubscriptionLimitError(self.anonymous, anonymous=True)
            if self.running >= self.total:
                REFUSED.labels(caller).inc()
                raise SubscriptionLimitError(self.total, anonymous=False)
            self.running += 1
            self.running_anonymous += anonymous
        ADMITTED.labels(caller).inc()
        return SubscriptionSlot(self, anonymous)

    def _give_back(self, slot: SubscriptionSlot) -> None:
        with self._lock:
            self.running -= 1
            self.running_anonymous -= slot.anonymous
        ADMITTED.labels("anonymous" if slot.anonymous else "token").dec()
