"""The root GraphQL schema: each context contributes its queries, mutations and
subscriptions; every operation runs through the same extensions (codes, metrics,
idempotency, limits).

The SDL is the published contract ``contracts/schema.graphql``: ``python -m gateway.schema``
rewrites it, refusing a breaking change (a removed field, argument, enum value or type, a
changed type) unless what goes away was deprecated in the contract first.
"""

from __future__ import annotations

import dataclasses
import re
import sys
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import graphql
import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from deploy.settings import Settings
from gateway.audit import AuditMutations, AuditQueries
from gateway.audit_trail import AuditTrailQueries
from gateway.cases import CaseMutations, CaseQueries, CaseSubscriptions
from gateway.catalog.schema import CatalogMutations, CatalogQueries, CatalogSubscriptions
from gateway.complaints import ComplaintMutations, ComplaintQueries, ComplaintSubscriptions
from gateway.dataloaders import FreshLoaders
from gateway.errors import ErrorCodes, OperationMetrics
from gateway.evaluations import EvaluationMutations, EvaluationQueries
from gateway.execution import with_leaf_fields
from gateway.hall_setup import HallSetupQueries
from gateway.halls.schema import HallMutations, HallQueries, HallSubscriptions
from gateway.holidays import HolidayMutations, HolidayQueries
from gateway.idempotency import Idempotency
from gateway.limits import SubscriptionsOverWebSocket, UnicodeInput, query_limits
from gateway.partners import PartnerMutations
from gateway.places import PlacesMutations
from gateway.platform_overview import PlatformOverviewQueries
from gateway.queue import QueueMutations
from gateway.queue.public_board import PublicBoardQueries, PublicBoardSubscriptions
from gateway.queue.queries import QueueBoardQueries, QueueBoardSubscriptions
from gateway.queue.ticket_status import TicketStatusQueries, TicketStatusSubscriptions
from gateway.rectifications import RectificationMutations, RectificationQueries
from gateway.relay import NodeQueries
from gateway.scalars import SCALARS
from gateway.staff import StaffMutations
from gateway.staff.queries import StaffQueries
from gateway.supervision import SupervisionMutations

__all__ = ["CONTRACT", "breaking_changes", "build_schema", "sdl"]

Query = merge_types(
    "Query",
    (
        NodeQueries,
        HallQueries,
        CatalogQueries,
        CaseQueries,
        ComplaintQueries,
        EvaluationQueries,
        RectificationQueries,
        AuditQueries,
        QueueBoardQueries,
        PublicBoardQueries,
        TicketStatusQueries,
        StaffQueries,
        HallSetupQueries,
        AuditTrailQueries,
        PlatformOverviewQueries,
        HolidayQueries,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        HallMutations,
        CatalogMutations,
        PlacesMutations,
        StaffMutations,
        QueueMutations,
        CaseMutations,
        ComplaintMutations,
        EvaluationMutations,
        RectificationMutations,
        SupervisionMutations,
        PartnerMutations,
        HolidayMutations,
        AuditMutations,
    ),
)
Subscription = merge_types(
    "Subscription",
    (
        HallSubscriptions,
        CatalogSubscriptions,
        QueueBoardSubscriptions,
        PublicBoardSubscriptions,
        TicketStatusSubscriptions,
        CaseSubscriptions,
        ComplaintSubscriptions,
    ),
)

CONTRACT = Path(__file__).resolve().parents[1] / "contracts" / "schema.graphql"
"""The published SDL."""


class GatewaySchema(strawberry.Schema):
    """Strawberry's schema with the gateway's ``Date`` and ``DateTime``
    (:mod:`gateway.scalars`), minus its own error log: :class:`ErrorCodes` logs what matters
    (internal errors, with the request id), not every refused command."""

    def __init__(
        self, query: type, *, config: StrawberryConfig | None = None, **kwargs: Any
    ) -> None:
        config = config or StrawberryConfig()
        scalar_map = {**SCALARS, **config.scalar_map}
        super().__init__(query, config=dataclasses.replace(config, scalar_map=scalar_map), **kwargs)

    def process_errors(self, errors: Sequence[graphql.GraphQLError], *args: Any) -> None:
        return None


def build_schema(settings: Settings | None = None) -> strawberry.Schema:
    """The schema with the extensions and limits of ``settings`` (default: the defaults)."""
    settings = settings or Settings()
    # Factories, so every request gets fresh extension instances. Outermost first.
    extensions: list[Callable[[], SchemaExtension]] = [
        OperationMetrics,
        ErrorCodes,
        UnicodeInput,  # before anything hashes or stores the input
        SubscriptionsOverWebSocket,
        partial(Idempotency, ttl_seconds=settings.idempotency_ttl_seconds),
        FreshLoaders,
        *query_limits(settings),
    ]
    return with_leaf_fields(
        lambda context: GatewaySchema(
            query=Query,
            mutation=Mutation,
            subscription=Subscription,
            extensions=extensions,
            execution_context_class=context,
        )
    )


def sdl(schema: strawberry.Schema | None = None) -> str:
    """The SDL of ``schema`` (default: the gateway's), as the contract file holds it."""
    return (schema or build_schema()).as_str().rstrip() + "\n"


_REMOVED_FIELD = re.compile(r"^(?:Field )?(\w+)\.(\w+) was removed\.$")
_REMOVED_ARG = re.compile(r"^Argument (\w+)\.(\w+)\((\w+):\) was removed\.$")
_REMOVED_VALUE = re.compile(r"^Enum value (\w+)\.(\w+) was removed\.$")
_REMOVED_TYPE = re.compile(r"^(\w+) was removed\.$")
_UNUSED_SCALAR = re.compile(r"^Standard scalar \w+ was removed because it is not referenced")


def _deprecated_first(old: graphql.GraphQLSchema, description: str) -> bool:
    """Whether the thing a breaking change removes carried ``@deprecated`` in ``old``."""
    if m := _REMOVED_FIELD.match(description):
        owner: Any = old.get_type(m[1])
        field = getattr(owner, "fields", {}).get(m[2])
        return bool(field is not None and field.deprecation_reason)
    if m := _REMOVED_ARG.match(description):
        owner = old.get_type(m[1])
        field = getattr(owner, "fields", {}).get(m[2])
        arg = field.args.get(m[3]) if field is not None else None
        return bool(arg is not None and arg.deprecation_reason)
    if m := _REMOVED_VALUE.match(description):
        enum: Any = old.get_type(m[1])
        value = enum.values.get(m[2]) if enum is not None else None
        return bool(value is not None and value.deprecation_reason)
    if _UNUSED_SCALAR.match(description):  # nothing used it any more
        return True
    if m := _REMOVED_TYPE.match(description):  # gone with the deprecated fields that used it
        uses = [
            f
            for t in old.type_map.values()
            if isinstance(t, graphql.GraphQLObjectType | graphql.GraphQLInterfaceType)
            for f in t.fields.values()
            if graphql.get_named_type(f.type).name == m[1]
        ]
        return all(f.deprecation_reason for f in uses)
    return False


def breaking_changes(old_sdl: str, new_sdl: str) -> list[str]:
    """Breaking changes from ``old_sdl`` to ``new_sdl`` not announced by a deprecation."""
    old, new = graphql.build_schema(old_sdl), graphql.build_schema(new_sdl)
    return [
        f"{change.type.name}: {change.description}"
        for change in graphql.find_breaking_changes(old, new)
        if not _deprecated_first(old, change.description)
    ]


def main(argv: Sequence[str] = ()) -> int:
    """``python -m gateway.schema [--check]``: write (or check) the contract SDL."""
    current = sdl()
    published = CONTRACT.read_text(encoding="utf-8") if CONTRACT.exists() else None
    if published is not None and (problems := breaking_changes(published, current)):
        print("breaking changes (deprecate first, remove later):", *problems, sep="\n  ")
        return 1
    if "--check" in argv:
        if published != current:
            print(f"{CONTRACT} is out of date: run python -m gateway.schema")
            return 1
        return 0
    CONTRACT.write_text(current, encoding="utf-8")
    print(f"wrote {CONTRACT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
