"""Limits on the shape of a GraphQL document, from settings, as strawberry extensions.

A query deeper than ``max_query_depth``, longer than ``max_query_tokens`` or with more
than ``max_aliases`` aliases is refused before it runs (``VALIDATION``); with
``introspection`` off, ``__schema`` and ``__type`` are refused the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from strawberry.extensions import (
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)

from deploy.settings import Settings

__all__ = ["query_limits"]


def query_limits(settings: Settings) -> list[Callable[[], SchemaExtension]]:
    """Extension factories (fresh instances per request) enforcing the settings' limits."""
    limits: list[Callable[[], SchemaExtension]] = [
        partial(QueryDepthLimiter, max_depth=settings.max_query_depth),
        partial(MaxTokensLimiter, max_token_count=settings.max_query_tokens),
        partial(MaxAliasesLimiter, max_alias_count=settings.max_aliases),
    ]
    if not settings.introspection:
        limits.append(DisableIntrospection)
    return limits
