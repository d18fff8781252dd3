"""Generic GraphQL calls built from the schema: arguments and selections for any root field.

Used by the cross-hall probe: it seeds one hall through every mutation (so it also covers
the mutations other contexts add), collecting the ids its answers carry, then calls every
query and mutation as another hall's roles with those ids.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    get_named_type,
)

ID_LIKE = re.compile(r"(^ids?$|Ids?$|[cC]odes?$|^badgeNumber$|Badge$|Window$|^subjectRef$)")
SYNONYMS = {"badge": "staff", "assignee": "staff", "respondent": "window", "subject": "ref"}

SCALARS: dict[str, Any] = {
    "Int": 1,
    "Float": 1.0,
    "Boolean": False,
    "Date": "2026-03-02",
    "DateTime": "2026-03-02T10:00:00+08:00",
    "Time": "10:00:00",
    "JSON": {},
    "UUID": "00000000-0000-4000-8000-000000000001",
    "Decimal": "1",
}
TEXT = {
    "phone": "13800138000",
    "complainantPhone": "13800138000",
    "period": "2026-03",
    "prefix": "A",
}


def words(name: str) -> set[str]:
    """``"assessmentId"`` → ``{"assessment"}``; ``"ServiceItem"`` → ``{"service", "item"}``."""
    parts = {w.lower() for w in re.findall(r"[A-Z]?[a-z]+", name)}
    parts -= {"id", "ids", "code", "codes", "number", "to", "from"}
    return {SYNONYMS.get(w, w) for w in parts} | {w.rstrip("s") for w in parts}


def kind(name: str) -> str:
    """What an id-like name holds: ``code``, ``badge``, ``ref`` or ``id``."""
    lowered = name.lower()
    return next((k for k in ("code", "badge", "ref") if k in lowered), "id")


@dataclass
class IdPool:
    """Identifiers seen in one hall's answers, by the GraphQL type that carried them and
    the kind of key they came under."""

    by_type: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    turn: int = 0

    def collect(self, value: Any, typename: str = "") -> None:
        if isinstance(value, dict):
            typename = value.get("__typename", typename)
            for key, item in value.items():
                if isinstance(item, str) and ID_LIKE.search(key) and key != "hallId":
                    bucket = self.by_type.setdefault(typename, {}).setdefault(kind(key), [])
                    if item not in bucket:
                        bucket.append(item)
                else:
                    self.collect(item, typename)
        elif isinstance(value, list):
            for item in value:
                self.collect(item, typename)

    def ids(self, typename: str | None = None) -> list[str]:
        types = [typename] if typename else list(self.by_type)
        return [i for t in types for ids in self.by_type.get(t, {}).values() for i in ids]

    def pick(self, owner: str, name: str) -> str | None:
        """An id of the type the argument ``name`` (or, for ``id``, the field) names."""
        wanted = words(name) or words(owner)
        scored = sorted(((len(wanted & words(t)), t) for t in self.by_type if t), reverse=True)
        best = [t for score, t in scored if score and score == scored[0][0]] or list(self.by_type)
        candidates = [i for t in best for i in self.by_type[t].get(kind(name), [])]
        candidates = candidates or [i for t in best for i in self.ids(t)] or self.ids()
        if not candidates:
            return None
        self.turn += 1
        return candidates[self.turn % len(candidates)]


@dataclass
class Generator:
    """Argument values: ids from ``pool`` (or fresh ones), ``marker`` in free text, enum
    values and fresh ids varied by ``turn``."""

    schema: GraphQLSchema
    hall: str
    marker: str
    pool: IdPool
    fresh_ids: bool = True
    turn: int = 0

    def value(  # noqa: PLR0911 (one answer per kind of GraphQL input type)
        self, name: str, type_: GraphQLInputType, owner: str, required: bool, nested: bool = False
    ) -> Any:
        if isinstance(type_, GraphQLNonNull):
            return self.value(name, type_.of_type, owner, True, nested)
        if isinstance(type_, GraphQLList):
            item = self.value(name, type_.of_type, owner, required, nested)
            return None if item is None else [item]
        if isinstance(type_, GraphQLEnumType):
            values = list(type_.values)
            return values[self.turn % len(values)]
        if isinstance(type_, GraphQLInputObjectType):
            fields = {
                n: self.value(n, f.type, owner, isinstance(f.type, GraphQLNonNull), True)
                for n, f in type_.fields.items()
            }
            return {n: v for n, v in fields.items() if v is not None}
        assert isinstance(type_, GraphQLScalarType)
        if name == "hallId":
            return self.hall
        if type_.name in SCALARS:
            return SCALARS[type_.name] if required else None
        if name in TEXT:
            return TEXT[name]
        if ID_LIKE.search(name):
            return self._id(
                owner, name, required, creates=nested and name in {"code", "badgeNumber"}
            )
        return f"{self.marker} {name}" if required else None

    def _id(self, owner: str, name: str, required: bool, creates: bool) -> str | None:
        """A new id where an input names the record it creates (every other turn of the
        seeding), else one from the pool."""
        if self.fresh_ids and creates and self.turn % 2 == 0:
            return f"P{uuid.uuid4().hex[:6].upper()}"
        found = self.pool.pick(owner, name)
        if found is not None or not required:
            return found
        return f"P{uuid.uuid4().hex[:6].upper()}" if self.fresh_ids else "NO-SUCH-ID"

    def arguments(self, owner: str, field_: GraphQLField) -> dict[str, Any]:
        values = {}
        for name, arg in field_.args.items():
            required = isinstance(arg.type, GraphQLNonNull) and arg.default_value is None
            value = self.value(name, arg.type, owner, required)
            if value is not None:
                values[name] = value
        return values


def selection(type_: GraphQLOutputType, depth: int = 2) -> str:
    """Every scalar field (and ``__typename``) down to ``depth`` levels of objects."""
    named = get_named_type(type_)
    if isinstance(named, GraphQLScalarType | GraphQLEnumType):
        return ""
    if isinstance(named, GraphQLUnionType):
        parts = ["__typename"] + [f"... on {t.name} {selection(t, depth)}" for t in named.types]
        return "{ " + " ".join(parts) + " }"
    if isinstance(named, GraphQLInterfaceType):
        return "{ __typename }"
    assert isinstance(named, GraphQLObjectType)
    parts = ["__typename"]
    for name, f in named.fields.items():
        if any(isinstance(a.type, GraphQLNonNull) for a in f.args.values()):
            continue
        inner = get_named_type(f.type)
        if isinstance(inner, GraphQLScalarType | GraphQLEnumType):
            parts.append(name)
        elif depth > 0:
            parts.append(f"{name} {selection(f.type, depth - 1)}")
    return "{ " + " ".join(parts) + " }"


def document(
    kind: str, name: str, field_: GraphQLField, schema: GraphQLSchema, given: dict[str, Any]
) -> str:
    """``kind($a: T, …) { name(a: $a, …) <selection> }`` for the arguments ``given``."""
    args = {a: arg for a, arg in field_.args.items() if a in given}
    variables = ", ".join(f"${a}: {arg.type}" for a, arg in args.items())
    arguments = ", ".join(f"{a}: ${a}" for a in args)
    head = f"{kind}({variables})" if variables else kind
    call = f"{name}({arguments})" if arguments else name
    named = get_named_type(field_.type)
    if isinstance(named, GraphQLInterfaceType):
        objects = schema.get_implementations(named).objects
        sel = "{ __typename " + " ".join(f"... on {t.name} {selection(t, 1)}" for t in objects)
        sel += " }"
    else:
        sel = selection(field_.type)
    return f"{head} {{ {call} {sel} }}"
