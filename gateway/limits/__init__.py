"""Limits on what one request may ask: query shape, body size, page size, request rate."""

from gateway.limits.query import query_limits
from gateway.limits.ratelimit import RateLimitedError, RateLimiter

__all__ = ["RateLimitedError", "RateLimiter", "query_limits"]
