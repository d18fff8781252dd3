"""Every query and mutation, called as each role of another hall with this hall's ids,
answers NOT_FOUND / FORBIDDEN / empty — never this hall's data — and records nothing here.

The probe walks the schema, so it covers the fields other contexts add. Platform
operators are not probed: seeing every hall is their role.
"""

from __future__ import annotations

import dataclasses
import json
import os
import uuid
from typing import Any

import httpx
import pytest

from gateway.app import create_app
from gateway.auth import Role, issue_token
from gateway.relay import _NODE_TYPES
from gateway.schema import build_schema
from gateway.security import PUBLIC, access_of
from gateway.subscriptions import log_head
from tests.conftest import TEST_SETTINGS
from tests.e2e.gateway.conftest import PUBLISH, REGISTER, Server
from tests.e2e.gateway.probing import Generator, IdPool, document

HALL_ROLES = [r for r in Role if r is not Role.PLATFORM_OPERATOR]
REFUSALS = {"NOT_FOUND", "FORBIDDEN", "VALIDATION", "CONFLICT", "UNAUTHENTICATED"}
SEEDING_ORDER = (Role.HALL_ADMIN, Role.SUPERVISOR, Role.STAFF, Role.APPLICANT, Role.AUDITOR)
SEEDING_TURNS = 4


class Caller:
    def __init__(self, client: httpx.Client, hall: str, tag: str) -> None:
        self.client, self.hall, self.tag = client, hall, tag

    def __call__(self, query: str, variables: dict[str, Any], role: Role | None) -> dict[str, Any]:
        headers = {}
        if role is not None:
            subject = f"{role.value}-{self.tag}"
            tenant = None if role is Role.PLATFORM_OPERATOR else self.hall
            jwt = issue_token(TEST_SETTINGS, subject=subject, role=role, tenant=tenant)
            headers["Authorization"] = f"Bearer {jwt}"
        r = self.client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
        assert r.status_code == 200, r.text
        return r.json()


def _roles(schema, type_name: str, field_name: str) -> list[Role]:
    access = access_of(schema, type_name, field_name)
    if access is None:  # not yet declared: try every role
        return HALL_ROLES
    return [r for r in HALL_ROLES if access.permits(r)]


def _codes(body: dict[str, Any]) -> set[str]:
    return {e["extensions"]["code"] for e in body.get("errors") or []}


@pytest.fixture(scope="module")
def probe_url(platform):
    """A gateway of its own without a rate limit: the probe sends hundreds of requests."""
    settings = dataclasses.replace(TEST_SETTINGS, rate_limit_per_minute=0)
    with Server(create_app(dataclasses.replace(platform, settings=settings))) as server:
        yield server.url


@pytest.fixture(scope="module")
def probe_setting(probe_url, projection_worker):
    """Hall A seeded through every mutation (twice, so later commands find earlier
    records), its ids collected; hall B registered."""
    schema = build_schema()
    gql = schema._schema
    suffix = uuid.uuid4().hex[:8]
    hall_a, hall_b = f"hall-a-{suffix}", f"hall-b-{suffix}"
    marker = f"PRIVATE-A-{suffix}"
    pool = IdPool()
    with httpx.Client(base_url=probe_url, timeout=30) as client:
        operator = Caller(client, "", "op")
        for h, hall_name in ((hall_a, f"{marker} 大厅"), (hall_b, "B 大厅")):
            body = operator(REGISTER, {"id": h, "name": hall_name}, Role.PLATFORM_OPERATOR)
            assert "errors" not in body
        a = Caller(client, hall_a, "a")
        a(PUBLISH, {"code": "PUB-1", "name": "公开事项"}, Role.HALL_ADMIN)
        seeding = Generator(gql, hall_a, marker, pool)
        for turn in range(SEEDING_TURNS):
            seeding.turn = turn
            for name, field_ in gql.mutation_type.fields.items():
                if name not in {"registerHall", "erasePersonalData"}:
                    pool.collect(_seed(a, seeding, schema, name, field_))
            projection_worker.run_once()
        for name, field_ in gql.query_type.fields.items():
            for role in _roles(schema, "Query", name)[:1]:
                variables = seeding.arguments(name, field_)
                body = a(document("query", name, field_, gql, variables), variables, role)
                pool.collect(body.get("data"))
    return schema, hall_a, hall_b, marker, pool


def _seed(a: Caller, seeding: Generator, schema, name: str, field_) -> Any:
    """Run a mutation in hall A as the first of its roles that may."""
    gql = schema._schema
    for role in [r for r in SEEDING_ORDER if r in _roles(schema, "Mutation", name)]:
        variables = seeding.arguments(name, field_)
        body = a(document("mutation", name, field_, gql, variables), variables, role)
        if os.environ.get("PROBE_DEBUG"):
            print("SEED", role.value, name, [e["message"][:120] for e in body.get("errors") or []])
        if not _codes(body) & {"FORBIDDEN", "UNAUTHENTICATED"}:
            return body.get("data")
    return None


def _probe(probe_url, probe_setting, kind: str) -> list[str]:
    schema, hall_a, hall_b, marker, pool = probe_setting
    gql = schema._schema
    root = gql.query_type if kind == "query" else gql.mutation_type
    probing = Generator(gql, hall_a, "PROBE-B", pool, fresh_ids=False)  # B's own free text
    problems: list[str] = []
    with httpx.Client(base_url=probe_url, timeout=30) as client:
        b = Caller(client, hall_b, "b")
        for name, field_ in root.fields.items():
            access = access_of(schema, root.name, name)
            public = access is not None and access.audience is PUBLIC
            for role in [None, *_roles(schema, root.name, name)]:
                variables = probing.arguments(name, field_)
                body = b(document(kind, name, field_, gql, variables), variables, role)
                codes = _codes(body)
                label = f"{kind} {name} as {role.value if role else 'anonymous'} of B"
                if not codes <= REFUSALS:
                    problems.append(f"{label}: {codes} {body['errors']}")
                leaked = marker in str(body) or hall_a in json.dumps(body.get("data"))
                if leaked and not _public_answer(schema, name, body, public):
                    problems.append(f"{label}: hall A's data in the answer: {body}")
    return problems


def _public_answer(schema, name: str, body: dict[str, Any], public: bool) -> bool:
    """A public field may show hall A's public data: its catalog, public nodes."""
    if not public:
        return False
    if name not in {"node", "nodes"}:
        return True
    found = body["data"][name]
    nodes = found if isinstance(found, list) else [found]
    return all(n is None or _NODE_TYPES[n["__typename"]].access.audience == PUBLIC for n in nodes)


def test_the_seeded_hall_has_records_to_probe_with(probe_setting):
    _, _, _, _, pool = probe_setting
    assert len(pool.ids()) >= 10, pool.by_type
    assert len(pool.by_type) >= 5, pool.by_type


def test_no_query_answers_with_another_halls_data(probe_url, probe_setting):
    assert _probe(probe_url, probe_setting, "query") == []


def test_no_mutation_touches_another_hall(probe_url, probe_setting, platform):
    _, hall_a, _, _, _ = probe_setting
    head = log_head(platform.app_pool, hall_a)
    assert _probe(probe_url, probe_setting, "mutation") == []
    assert log_head(platform.app_pool, hall_a) == head, "a call as hall B recorded in hall A"
