"""Every field of the schema declares who may use it (``@allow``)."""

from __future__ import annotations

import asyncio

import pytest
import strawberry
from strawberry.schema.schema_converter import GraphQLCoreConverter

from gateway.auth import ANONYMOUS, AuthenticationError, Principal, Role
from gateway.schema import build_schema
from gateway.security import (
    AUTHENTICATED,
    INHERITED,
    PUBLIC,
    Access,
    access_of,
    allow,
    undeclared_fields,
)
from services.shared import ForbiddenError


def test_every_field_of_the_schema_declares_who_may_use_it():
    problems = undeclared_fields(build_schema())
    assert problems == [], "declare access with @allow (docs/gateway.md):\n" + "\n".join(problems)


@strawberry.type
class SloppyQuery:
    @allow(PUBLIC)
    @strawberry.field
    def fine(self) -> int:
        return 1

    @strawberry.field
    def forgotten(self) -> int:
        return 2

    @allow(INHERITED)
    @strawberry.field
    def inherits_nothing(self) -> int:
        return 3


@allow(INHERITED)
@strawberry.type
class Record:
    public_part: str

    @allow(Role.SUPERVISOR)
    @strawberry.field
    def restricted(self) -> str:
        return "x"


@strawberry.type
class RecordQuery:
    @allow(AUTHENTICATED)
    @strawberry.field
    def record(self) -> Record:
        return Record(public_part="p")


def test_a_field_without_a_declaration_is_reported():
    assert undeclared_fields(strawberry.Schema(query=SloppyQuery)) == [
        "SloppyQuery.forgotten: no @allow declaration",
        "SloppyQuery.inheritsNothing: root fields cannot be INHERITED",
    ]


def test_a_type_level_declaration_covers_its_undeclared_fields_only():
    schema = strawberry.Schema(query=RecordQuery)
    assert undeclared_fields(schema) == []
    sdl = schema.as_str()
    assert 'type Record @allow(roles: ["inherited"])' in sdl
    assert 'restricted: String! @allow(roles: ["supervisor"])' in sdl
    result = schema.execute_sync(
        "{ record { publicPart restricted } }",
        context_value=type("C", (), {"principal": Principal("u", Role.STAFF, "h1")})(),
    )
    assert result.data is None
    assert isinstance(result.errors[0].original_error, ForbiddenError)


@pytest.mark.parametrize(
    "who", [(), (PUBLIC, Role.STAFF), (PUBLIC, AUTHENTICATED)], ids=["none", "mixed", "two"]
)
def test_a_declaration_is_roles_or_exactly_one_audience(who):
    with pytest.raises(TypeError):
        allow(*who)


def test_declaring_a_field_twice_is_refused():
    with pytest.raises(TypeError, match="two @allow"):

        @strawberry.type
        class Query:
            @allow(PUBLIC)
            @allow(Role.STAFF)
            @strawberry.field
            def twice(self) -> int:
                return 1


def test_access_checks():
    staff = Principal(subject="s", role=Role.STAFF, tenant="h1")
    Access.of([PUBLIC]).check(ANONYMOUS)
    Access.of([AUTHENTICATED]).check(staff)
    Access.of([Role.STAFF, Role.HALL_ADMIN]).check(staff)
    with pytest.raises(AuthenticationError):
        Access.of([AUTHENTICATED]).check(ANONYMOUS)
    with pytest.raises(ForbiddenError, match="role staff may not do this"):
        Access.of([Role.HALL_ADMIN]).check(staff)


class _RolesRequiredError(Exception):
    def __init__(self, roles: tuple[Role, ...]) -> None:
        self.roles = roles


class _RecordingPrincipal:
    """Stops a resolver at its own role check and reports the roles it requires."""

    subject = "s"
    role = Role.STAFF

    def require_hall(self, *roles: Role) -> str:
        raise _RolesRequiredError(roles)


SELF_CHECKING = ("gateway.cases", "gateway.complaints", "gateway.evaluations")
SELF_CHECKING += ("gateway.rectifications", "gateway.supervision")


def _self_checking_mutations():
    schema = build_schema()
    for name, field in schema._schema.mutation_type.fields.items():
        definition = field.extensions[GraphQLCoreConverter.DEFINITION_BACKREF]
        if definition.origin.__module__.rsplit(".", 1)[0] in SELF_CHECKING:
            yield pytest.param(schema, name, definition, id=name)


@pytest.mark.parametrize(("schema", "name", "definition"), list(_self_checking_mutations()))
def test_a_declaration_names_exactly_the_roles_its_resolver_requires(schema, name, definition):
    context = type("C", (), {"principal": _RecordingPrincipal()})()
    info = type("I", (), {"context": context})()
    kwargs = {a.python_name: None for a in definition.arguments}
    with pytest.raises(_RolesRequiredError) as required:
        asyncio.run(definition.base_resolver.wrapped_func(None, info, **kwargs))
    assert access_of(schema, "Mutation", name) == Access.of(required.value.roles)
