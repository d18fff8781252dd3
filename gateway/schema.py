"""The root GraphQL schema: each context contributes its queries and mutations."""

from __future__ import annotations

from collections.abc import Callable

import strawberry
from strawberry.extensions import (
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.tools import merge_types

from gateway.cases import CaseMutations
from gateway.catalog.schema import CatalogMutations, CatalogQueries
from gateway.complaints import ComplaintMutations
from gateway.errors import ErrorCodes
from gateway.evaluations import EvaluationMutations
from gateway.halls.schema import HallMutations, HallQueries
from gateway.partners import PartnerMutations
from gateway.rectifications import RectificationMutations
from gateway.supervision import SupervisionMutations

__all__ = ["build_schema"]

Query = merge_types("Query", (HallQueries, CatalogQueries))
Mutation = merge_types(
    "Mutation",
    (
        HallMutations,
        CatalogMutations,
        CaseMutations,
        ComplaintMutations,
        EvaluationMutations,
        RectificationMutations,
        SupervisionMutations,
        PartnerMutations,
    ),
)


def build_schema() -> strawberry.Schema:
    # Factories, so every request gets fresh extension instances.
    extensions: list[Callable[[], SchemaExtension]] = [
        ErrorCodes,
        lambda: QueryDepthLimiter(max_depth=10),
        lambda: MaxTokensLimiter(max_token_count=2000),
        lambda: MaxAliasesLimiter(max_alias_count=30),
    ]
    return strawberry.Schema(query=Query, mutation=Mutation, extensions=extensions)
