"""Who may use each field: the ``@allow(...)`` declaration, enforced and shown in the SDL.

Put ``@allow`` above ``@strawberry.field`` / ``@strawberry.mutation`` /
``@strawberry.subscription``, or above ``@strawberry.type`` to declare every field of the
type that has no declaration of its own::

    @strawberry.type
    class CatalogMutations:
        @allow(Role.HALL_ADMIN)
        @strawberry.mutation
        async def publish_service_item(self, info: Info, ...) -> ServiceItemType: ...

    @allow(INHERITED)          # as visible as the field that returned the object
    @strawberry.type
    class ServiceItemType: ...

``PUBLIC`` fields need no token; ``AUTHENTICATED`` ones any valid token; roles name who
may. A caller without a token gets ``UNAUTHENTICATED``, a role not listed ``FORBIDDEN``.
The declaration shows in the SDL as ``@allow(roles: [...])``, and
:func:`undeclared_fields` (run by a test over the whole schema) lists every field that
lacks one. Roles are checked here; the hall a record belongs to is checked by the
resolver (:mod:`gateway.security.tenancy`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Any, TypeVar

import strawberry
from graphql import GraphQLInterfaceType, GraphQLObjectType
from strawberry.permission import BasePermission, PermissionExtension
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.schema_directive import Location
from strawberry.types.field import StrawberryField

from gateway.security.principal import AuthenticationError, Principal, Role
from services.shared import ForbiddenError

__all__ = [
    "AUTHENTICATED",
    "INHERITED",
    "PUBLIC",
    "Access",
    "Audience",
    "access_of",
    "allow",
    "undeclared_fields",
]

T = TypeVar("T")
ACCESS_KEY = "yanshen.access"


class Audience(StrEnum):
    """Declarations that are not a list of roles."""

    PUBLIC = "public"
    """Anyone, with or without a token."""
    AUTHENTICATED = "authenticated"
    """Any valid token, whatever its role."""
    INHERITED = "inherited"
    """Fields of object types only: whoever may read the field that returned the object."""


PUBLIC = Audience.PUBLIC
AUTHENTICATED = Audience.AUTHENTICATED
INHERITED = Audience.INHERITED


@strawberry.schema_directive(
    name="allow",
    locations=[Location.FIELD_DEFINITION, Location.OBJECT, Location.INTERFACE],
    description="Who may use the field: role names, 'public', 'authenticated' or 'inherited'.",
)
class AllowDirective:
    roles: list[str]


@dataclass(frozen=True)
class Access:
    """A field's declaration."""

    roles: frozenset[Role]
    audience: Audience | None = None

    @classmethod
    def of(cls, who: Iterable[Role | Audience]) -> Access:
        items = list(who)
        audiences = [w for w in items if isinstance(w, Audience)]
        roles = frozenset(w for w in items if isinstance(w, Role))
        if not items or (audiences and (roles or len(audiences) > 1)):
            raise TypeError("@allow takes roles, or exactly one of PUBLIC/AUTHENTICATED/INHERITED")
        return cls(roles=roles, audience=audiences[0] if audiences else None)

    @property
    def names(self) -> list[str]:
        if self.audience is not None:
            return [self.audience.value]
        return sorted(r.value for r in self.roles)

    @property
    def checked(self) -> bool:
        """Whether a request must be checked (``PUBLIC`` and ``INHERITED`` need nothing)."""
        return self.audience not in {PUBLIC, INHERITED}

    def permits(self, role: Role) -> bool:
        return self.audience in {PUBLIC, AUTHENTICATED, INHERITED} or role in self.roles

    def check(self, principal: Principal) -> None:
        """Raise ``UNAUTHENTICATED`` / ``FORBIDDEN`` unless ``principal`` may use the field."""
        if not self.checked:
            return
        if principal.role is None:
            raise AuthenticationError(
                "this operation needs a token: send 'Authorization: Bearer <token>'"
            )
        if not self.permits(principal.role):
            raise ForbiddenError(
                f"role {principal.role.value} may not do this (allowed: {', '.join(self.names)})"
            )


class RolePermission(BasePermission):
    """Enforces an :class:`Access` (strawberry's permission protocol)."""

    def __init__(self, access: Access) -> None:
        self.access = access
        self._directive = AllowDirective(roles=access.names)

    @property
    def schema_directive(self) -> object:
        """``@allow(roles: [...])`` on the field in the SDL."""
        return self._directive

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        self.access.check(info.context.principal)
        return True


def _declare(field: StrawberryField, access: Access, *, directive: bool) -> None:
    if ACCESS_KEY in field.metadata:
        raise TypeError(f"field {field.python_name!r} has two @allow declarations")
    field.metadata = MappingProxyType({**field.metadata, ACCESS_KEY: access})
    if access.checked:
        field.extensions.append(PermissionExtension([RolePermission(access)]))
    elif directive:
        field.directives.append(AllowDirective(roles=access.names))


def allow(*who: Role | Audience) -> Callable[[T], T]:
    """Declare who may use a field, or every undeclared field of a type."""
    access = Access.of(who)

    def declare(target: T) -> T:
        if isinstance(target, StrawberryField):
            _declare(target, access, directive=True)
            return target
        definition = getattr(target, "__strawberry_definition__", None)
        if definition is None:
            raise TypeError("put @allow above @strawberry.type/field/mutation/subscription")
        type_level = access.audience is INHERITED
        if type_level:
            definition.directives = [*definition.directives, AllowDirective(roles=access.names)]
        for field in definition.fields:
            if ACCESS_KEY not in field.metadata:
                _declare(field, access, directive=not type_level)
        return target

    return declare


def access_of(schema: strawberry.Schema, type_name: str, field_name: str) -> Access | None:
    """The declaration of ``type_name.field_name`` in ``schema`` (``None``: undeclared)."""
    graphql_type = schema._schema.get_type(type_name)
    if not isinstance(graphql_type, GraphQLObjectType | GraphQLInterfaceType):
        return None
    field = graphql_type.fields.get(field_name)
    definition = (
        (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF) if field else None
    )
    if not isinstance(definition, StrawberryField):
        return None
    access = definition.metadata.get(ACCESS_KEY)
    return access if isinstance(access, Access) else None


def undeclared_fields(schema: strawberry.Schema) -> list[str]:
    """``Type.field: problem`` for every field without a usable declaration."""
    gql = schema._schema
    roots = {t.name for t in (gql.query_type, gql.mutation_type, gql.subscription_type) if t}
    problems: list[str] = []
    for name, graphql_type in sorted(gql.type_map.items()):
        if name.startswith("__") or not isinstance(
            graphql_type, GraphQLObjectType | GraphQLInterfaceType
        ):
            continue
        for field_name in graphql_type.fields:
            access = access_of(schema, name, field_name)
            if access is None:
                problems.append(f"{name}.{field_name}: no @allow declaration")
            elif name in roots and access.audience is INHERITED:
                problems.append(f"{name}.{field_name}: root fields cannot be INHERITED")
    return problems
