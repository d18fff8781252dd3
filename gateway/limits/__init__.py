"""Limits on what one request may ask: query shape, body size, page size, request rate,
and input a request may carry at all (valid Unicode; subscriptions only over a WebSocket)."""

from gateway.limits.input import SubscriptionsOverWebSocket, UnicodeInput
from gateway.limits.query import query_limits
from gateway.limits.ratelimit import RateLimitedError, RateLimiter

__all__ = [
    "RateLimitedError",
    "RateLimiter",
    "SubscriptionsOverWebSocket",
    "UnicodeInput",
    "query_limits",
]
