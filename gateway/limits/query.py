"""Limits on the shape of a GraphQL document, from settings, as strawberry extensions.

A query deeper than ``max_query_depth``, longer than ``max_query_tokens`` or with more
than ``max_aliases`` aliases is refused before it runs (``VALIDATION``); with
``introspection`` off, ``__schema`` and ``__type`` are refused the same way.

Parsing and validation results are cached per query text (bounded LRU caches): clients
send the same few documents again and again, and validating a board-sized query costs
more than running it. The validation rules are built once per schema so that the cache
can recognise them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from functools import lru_cache, partial
from typing import Any

from graphql import ASTValidationRule, DocumentNode, GraphQLError, parse
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaxTokensLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.extensions.max_aliases import create_validator as aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule
from strawberry.types.graphql import OperationType
from strawberry.utils.operation import get_operation_type

from deploy.settings import Settings

__all__ = ["CACHED_DOCUMENTS", "ParseCache", "is_subscription", "query_limits"]

CACHED_DOCUMENTS = 256
"""Distinct query texts whose parse and validation results are kept."""


@lru_cache(maxsize=CACHED_DOCUMENTS)
def _parse(query: str, max_tokens: int | None) -> DocumentNode:
    return parse(query, max_tokens=max_tokens)


def is_subscription(query: object, operation_name: object, max_tokens: int) -> bool:
    """Whether ``query`` (with ``operation_name``) runs a subscription, as strawberry
    decides it; a document that does not parse, or names no operation it has, runs none
    (it is refused as it runs). Parsed once per text, in the cache :class:`ParseCache`
    uses."""
    if not isinstance(query, str) or not (
        operation_name is None or isinstance(operation_name, str)
    ):
        return False
    try:
        document = _parse(query, max_tokens)
    except GraphQLError:
        return False
    try:
        return get_operation_type(document, operation_name) is OperationType.SUBSCRIPTION
    except RuntimeError:  # no such operation
        return False


class ParseCache(SchemaExtension):
    """Reuses the document of a query text parsed before. Unlike strawberry's
    ``ParserCache`` it caches only documents that parse: a syntax error is left to the
    normal parse, which reports it as a ``VALIDATION`` error like any other."""

    def on_parse(self) -> Iterator[None]:
        ec = self.execution_context
        options: dict[str, Any] = dict(ec.parse_options)
        if ec.query and set(options) <= {"max_tokens"}:
            with contextlib.suppress(GraphQLError):  # reported by the normal parse
                ec.graphql_document = _parse(ec.query, options.get("max_tokens"))
        yield


def query_limits(settings: Settings) -> list[Callable[[], SchemaExtension]]:
    """Extension factories (fresh instances per request) enforcing the settings' limits."""
    rules: list[type[ASTValidationRule]] = [
        depth_rule(settings.max_query_depth, None, None),
        aliases_rule(settings.max_aliases),
    ]
    if not settings.introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    return [
        partial(MaxTokensLimiter, max_token_count=settings.max_query_tokens),
        partial(AddValidationRules, rules),
        ParseCache,
        partial(ValidationCache, maxsize=CACHED_DOCUMENTS),
    ]
