"""A shorter path through graphql-core for plain leaf fields (scalars, enums, lists of them).

graphql-core runs every field of an answer through its general machinery: resolve info,
strawberry's resolver wrapper, awaitable checks, completion by kind of type. That costs about
6 µs a field, and a queue board answer has some 220 fields, 190 of them plain leaves such as
``waiting`` or ``displayNumber``. :class:`LeafExecutionContext` completes those directly, an
object whose selection is all plain leaves in one loop, and keeps graphql-core's
sub-selections between requests of the same (cached) document.

A field takes the short path only when strawberry itself treats it as *basic* (no resolver,
no field extensions or permissions, no exception handlers, hence no arguments) and its type is
a scalar, an enum or a list of them, and no middleware is installed. A value the short path
cannot complete plainly (``None`` for a non-null field, an exception, something the scalar
refuses, a string where a list is due) goes through the general path again, which reports it
exactly as before. ``tests/unit/gateway/test_leaf_execution.py`` compares the answers and
errors of both paths.
"""

from __future__ import annotations

from collections.abc import Callable
from math import isfinite
from typing import Any, ClassVar, NamedTuple, TypeVar, cast

import strawberry
from graphql import (
    GraphQLBoolean,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLLeafType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLString,
    Undefined,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
)
from graphql.execution.collect_fields import CollectedFields, FieldDetailsList, GroupedFieldSet
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

__all__ = ["LeafExecutionContext", "LeafField", "leaf_fields", "with_leaf_fields"]

S = TypeVar("S", bound=strawberry.Schema)


class LeafField(NamedTuple):
    """How to complete one plain leaf field: read the attribute, coerce it."""

    read: Callable[[Any, str], object]
    python_name: str
    leaf_type: GraphQLLeafType
    non_null: bool
    same: type | None
    """The Python type whose values the scalar answers unchanged (``str`` for ``String``),
    so that they need no coercion call; ``None`` for enums and custom scalars."""
    items_non_null: bool | None = None
    """For a list of leaves (``[String!]!``): whether its items are non-null; else ``None``."""


_UNCHANGED: dict[GraphQLScalarType, type] = {
    GraphQLString: str,
    GraphQLID: str,
    GraphQLBoolean: bool,
    GraphQLInt: int,  # within 32 bits
    GraphQLFloat: float,  # finite
}
_INT_RANGE = range(-(2**31), 2**31)


def leaf_fields(schema: GraphQLSchema) -> dict[str, dict[str, LeafField]]:
    """The plain leaf fields of every object type: type name → field name → how."""
    plans: dict[str, dict[str, LeafField]] = {}
    for type_name, named in schema.type_map.items():
        if not is_object_type(named) or type_name.startswith("__"):
            continue
        assert isinstance(named, GraphQLObjectType)
        for field_name, field in named.fields.items():
            definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
            if (
                not isinstance(definition, StrawberryField)
                or not definition.is_basic_field
                or not getattr(field.resolve, "_is_default", False)
                or field.args
                or not definition.python_name
            ):
                continue
            non_null = is_non_null_type(field.type)
            leaf = field.type.of_type if non_null else field.type
            items_non_null = None
            if is_list_type(leaf):
                items_non_null = is_non_null_type(leaf.of_type)
                leaf = leaf.of_type.of_type if items_non_null else leaf.of_type
            if is_leaf_type(leaf):
                plans.setdefault(type_name, {})[field_name] = LeafField(
                    definition.default_resolver,
                    definition.python_name,
                    leaf,
                    non_null,
                    _UNCHANGED.get(leaf) if isinstance(leaf, GraphQLScalarType) else None,
                    items_non_null,
                )
    return plans


class LeafExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context with the short path for plain leaf fields."""

    leaf_fields: ClassVar[dict[str, dict[str, LeafField]]] = {}
    """Filled by :func:`with_leaf_fields` once the schema is built."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        manager = self.middleware_manager
        # Strawberry always installs a manager; it wraps resolvers only when it has some
        # (schema extensions with a ``resolve`` hook).
        self._wraps_resolvers = bool(manager and manager.middlewares)

    def collect_subfields(
        self, return_type: GraphQLObjectType, field_details_list: FieldDetailsList
    ) -> CollectedFields:
        """graphql-core's sub-selection of a field, shared between requests.

        graphql-core remembers it for one request; clients send the same few documents
        (parsed once, :mod:`gateway.limits.query`), so the same field nodes come again and
        again. The key holds the nodes' identities and the request's variable values (they
        decide ``@skip`` / ``@include``); the entry keeps the nodes alive, so an identity
        cannot be taken by another node while it is cached.
        """
        variables = self.variable_values.coerced
        try:
            key = (
                return_type,
                tuple(id(details.node) for details in field_details_list),
                tuple(sorted(variables.items())) if variables else (),
            )
            cached = _SUBFIELDS.get(key)
        except TypeError:  # a variable value that cannot be a key (a list, an input object)
            return super().collect_subfields(return_type, field_details_list)
        if cached is not None:
            return cached[1]
        collected = super().collect_subfields(return_type, field_details_list)
        if len(_SUBFIELDS) >= SHARED_SUBFIELDS:
            _SUBFIELDS.clear()
        _SUBFIELDS[key] = (field_details_list, collected)
        return collected

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> Any:
        """An object whose selected fields are all plain leaves is completed in one loop."""
        selected = self._plain_selection(parent_type, grouped_field_set)
        if selected is not None:
            results: dict[str, Any] = {}
            for name, plan in selected:
                value = _complete(plan, source_value)
                if value is _GENERAL_PATH:
                    break
                results[name] = value
            else:
                return results
        return super().execute_fields(
            parent_type, source_value, path, grouped_field_set, position_context
        )

    def _plain_selection(
        self, parent_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet
    ) -> list[tuple[str, LeafField]] | None:
        """(response name, plan) of each selected field if all are plain leaves, else None;
        remembered per selection (shared between requests with the sub-selections)."""
        if self._wraps_resolvers:
            return None
        known = _SELECTIONS.get(id(grouped_field_set))
        if known is not None and known[0] is grouped_field_set:
            return known[1]
        plans = self.leaf_fields.get(parent_type.name, {})
        found = [
            (name, plans.get(details[0].node.name.value), details[0].node.arguments)
            for name, details in grouped_field_set.items()
        ]
        plain = all(plan is not None and not arguments for _, plan, arguments in found)
        selected = [(name, plan) for name, plan, _ in found if plan is not None] if plain else None
        if len(_SELECTIONS) >= SHARED_SUBFIELDS:
            _SELECTIONS.clear()
        _SELECTIONS[id(grouped_field_set)] = (grouped_field_set, selected)
        return selected

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        """A plain leaf among other fields is completed directly."""
        node = field_details_list[0].node
        plan = self.leaf_fields.get(parent_type.name, {}).get(node.name.value)
        if plan is not None and not self._wraps_resolvers and not node.arguments:
            value = _complete(plan, source)
            if value is not _GENERAL_PATH:
                return value
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )


SHARED_SUBFIELDS = 4096
"""Sub-selections kept between requests (the cache starts afresh when full)."""

_SUBFIELDS: dict[tuple[Any, ...], tuple[FieldDetailsList, CollectedFields]] = {}
_SELECTIONS: dict[int, tuple[GroupedFieldSet, list[tuple[str, LeafField]] | None]] = {}

_GENERAL_PATH = object()
"""The value cannot be completed plainly: the general path completes it (or reports it)."""


def _complete(plan: LeafField, source: Any) -> Any:
    value = plan.read(source, plan.python_name)
    if plan.items_non_null is None:
        return _leaf(plan, value, plan.non_null)
    if value is None:
        return _GENERAL_PATH if plan.non_null else None
    if type(value) is not list and type(value) is not tuple:
        return _GENERAL_PATH  # other iterables: as graphql-core completes them
    items = [_leaf(plan, item, plan.items_non_null) for item in value]
    return _GENERAL_PATH if _GENERAL_PATH in items else items


def _leaf(plan: LeafField, value: Any, non_null: bool) -> Any:
    kind = type(value)
    if kind is plan.same:  # answered as it is, unless out of the scalar's range
        if kind is int:
            if value in _INT_RANGE:
                return value
        elif kind is not float or isfinite(cast(float, value)):
            return value
    if value is None:
        return _GENERAL_PATH if non_null else None
    if value is Undefined or isinstance(value, Exception):
        return _GENERAL_PATH
    try:
        coerced = plan.leaf_type.coerce_output_value(value)
    except Exception:  # reported by the general path, with its location
        return _GENERAL_PATH
    return _GENERAL_PATH if coerced is None or coerced is Undefined else coerced


def with_leaf_fields(build: Callable[[type[LeafExecutionContext]], S]) -> S:
    """Build a schema with its own :class:`LeafExecutionContext` subclass, filled from it.

    ``build`` receives the class to pass as ``execution_context_class``.
    """

    class SchemaLeafExecutionContext(LeafExecutionContext):
        leaf_fields: ClassVar[dict[str, dict[str, LeafField]]] = {}

    schema = build(SchemaLeafExecutionContext)
    SchemaLeafExecutionContext.leaf_fields.update(leaf_fields(schema._schema))
    return schema
