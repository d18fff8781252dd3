"""Limits on what one request may ask: query shape, body size, page size, request rate,
and input a request may carry at all (valid Unicode; subscriptions only over a WebSocket);
and on what one process runs at once (subscriptions)."""

from gateway.limits.input import SubscriptionsOverWebSocket, UnicodeInput
from gateway.limits.query import is_subscription, query_limits
from gateway.limits.ratelimit import RateLimitedError, RateLimiter
from gateway.limits.subscriptions import SubscriptionLimitError, SubscriptionSlot, SubscriptionSlots

__all__ = [
    "RateLimitedError",
    "RateLimiter",
    "SubscriptionLimitError",
    "SubscriptionSlot",
    "SubscriptionSlots",
    "SubscriptionsOverWebSocket",
    "UnicodeInput",
    "is_subscription",
    "query_limits",
]
