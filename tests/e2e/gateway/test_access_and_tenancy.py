"""Roles and halls on the reference contexts, through a real HTTP server."""

from __future__ import annotations

import dataclasses
import uuid

import pytest

from gateway import relay
from gateway.auth import Role
from gateway.halls.schema import Hall, halls_by_id
from gateway.relay import GlobalId
from gateway.subscriptions import log_head
from projections.halls import get_hall
from services.shared.ids import PLATFORM_LOG
from tests.e2e.gateway.conftest import PUBLISH, REGISTER, codes

HALL = "query($h: String) { hall(hallId: $h) { hallId name } }"
ITEMS = """query($h: String!, $w: Boolean! = false) {
  serviceItems(hallId: $h, includeWithdrawn: $w) { edges { node { code hallId } } }
}"""
NODE = "query($id: ID!) { node(id: $id) { id ... on ServiceItem { code name hallId } } }"
WITHDRAW = 'mutation($c: String!) { withdrawServiceItem(code: $c, reason: "x") { code } }'


def test_a_hall_role_reads_its_own_hall_and_not_another(gql, token, hall, other_hall, project):
    project()
    own = token(Role.STAFF, hall)
    assert gql(HALL, {}, token=own).json()["data"]["hall"]["hallId"] == hall
    assert gql(HALL, {"h": hall}, token=own).json()["data"]["hall"]["hallId"] == hall
    # Another hall's id answers exactly like an id that does not exist.
    other = gql(HALL, {"h": other_hall}, token=own).json()
    missing = gql(HALL, {"h": "no-such-hall"}, token=own).json()
    assert other == missing == {"data": {"hall": None}}


def test_a_platform_operator_reads_any_hall(gql, token, hall, other_hall, project):
    project()
    operator = token(Role.PLATFORM_OPERATOR)
    assert gql(HALL, {"h": other_hall}, token=operator).json()["data"]["hall"]["hallId"] == (
        other_hall
    )


def test_anonymous_callers_are_unauthenticated_where_a_token_is_needed(gql, hall):
    assert codes(gql(HALL, {"h": hall})) == ["UNAUTHENTICATED"]
    r = gql(PUBLISH, {"code": "X1", "name": "x"})
    assert codes(r) == ["UNAUTHENTICATED"]


@pytest.mark.parametrize(
    "role", [Role.STAFF, Role.APPLICANT, Role.AUDITOR, Role.SUPERVISOR, Role.PARTNER_ADMIN]
)
def test_roles_not_declared_on_a_mutation_are_forbidden(gql, token, hall, role):
    r = gql(PUBLISH, {"code": "X1", "name": "x"}, token=token(role, hall))
    assert codes(r) == ["FORBIDDEN"]
    assert r.json()["data"] is None


def test_an_admin_without_a_hall_in_the_token_is_forbidden(gql, token):
    assert codes(gql(PUBLISH, {"code": "X1", "name": "x"}, token=token(Role.HALL_ADMIN))) == [
        "FORBIDDEN"
    ]


def test_mutations_write_only_into_the_tokens_hall(gql, token, hall, other_hall, publish, project):
    publish(other_hall, "B-ONLY")
    # A's admin names B's item: it does not exist in A, exactly like an unknown code.
    admin_a = token(Role.HALL_ADMIN, hall)
    foreign = gql(WITHDRAW, {"c": "B-ONLY"}, token=admin_a)
    unknown = gql(WITHDRAW, {"c": "NO-SUCH"}, token=admin_a)
    assert codes(foreign) == codes(unknown) == ["NOT_FOUND"]
    assert foreign.json()["errors"][0]["message"].replace("B-ONLY", "?") == (
        unknown.json()["errors"][0]["message"].replace("NO-SUCH", "?")
    )
    project()
    items = gql(ITEMS, {"h": other_hall}).json()["data"]["serviceItems"]["edges"]
    assert [e["node"]["code"] for e in items] == ["B-ONLY"]


def test_withdrawn_items_of_another_hall_answer_like_an_empty_catalog(
    gql, token, hall, other_hall, publish, project
):
    publish(other_hall, "B1")
    gql(WITHDRAW, {"c": "B1"}, token=token(Role.HALL_ADMIN, other_hall))
    project()
    staff_a = token(Role.STAFF, hall)
    r = gql(ITEMS, {"h": other_hall, "w": True}, token=staff_a).json()
    assert r["data"]["serviceItems"]["edges"] == []
    own = gql(ITEMS, {"h": other_hall, "w": True}, token=token(Role.STAFF, other_hall)).json()
    assert [e["node"]["code"] for e in own["data"]["serviceItems"]["edges"]] == ["B1"]
    # Applicants never see withdrawn items, even of their own hall.
    r = gql(ITEMS, {"h": other_hall, "w": True}, token=token(Role.APPLICANT, other_hall))
    assert codes(r) == ["FORBIDDEN"]


def test_node_lookup_answers_null_for_another_halls_private_node(
    gql, token, hall, other_hall, project
):
    project()
    hall_b_id = str(GlobalId("Hall", other_hall, other_hall))
    q = "query($id: ID!) { node(id: $id) { id ... on Hall { hallId } } }"
    assert gql(q, {"id": hall_b_id}, token=token(Role.STAFF, hall)).json() == {
        "data": {"node": None}
    }
    missing = str(GlobalId("Hall", "no-such-hall", "no-such-hall"))
    assert gql(q, {"id": missing}, token=token(Role.STAFF, hall)).json() == {"data": {"node": None}}
    own = gql(q, {"id": hall_b_id}, token=token(Role.STAFF, other_hall)).json()
    assert own["data"]["node"]["hallId"] == other_hall
    assert gql(q, {"id": hall_b_id}).json() == {"data": {"node": None}}  # anonymous


HALL_NODE = "query($id: ID!) { node(id: $id) { id ... on Hall { hallId name } } }"
HALL_NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Hall { hallId } } }"


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.STAFF, Role.HALL_ADMIN])
def test_a_hall_id_of_the_callers_hall_naming_another_hall_answers_null(
    gql, token, hall, other_hall, project, role
):
    project()
    caller = token(role, hall)
    own = str(GlobalId("Hall", hall, hall))
    probe = str(GlobalId("Hall", hall, other_hall))  # the hall part passes the token check
    assert gql(HALL_NODE, {"id": own}, token=caller).json()["data"]["node"]["hallId"] == hall
    assert gql(HALL_NODE, {"id": probe}, token=caller).json() == {"data": {"node": None}}
    r = gql(HALL_NODES, {"ids": [probe, own]}, token=caller).json()
    assert r == {"data": {"nodes": [None, {"id": own, "hallId": hall}]}}


def test_the_hall_loader_reads_only_the_hall_it_is_given(platform, hall, other_hall, project):
    project()
    rows = halls_by_id(platform.app_pool, hall, [other_hall, hall, "no-such-hall"])
    assert list(rows) == [hall]
    assert halls_by_id(platform.app_pool, hall, [other_hall]) == {}


def test_node_answers_null_when_a_loader_returns_an_object_with_another_id(
    gql, token, hall, other_hall, project, monkeypatch
):
    """A loader that ignores its hall (as the halls' loader once did) cannot leak."""
    project()

    def leaky(pool, _hall, ids):
        rows = {i: get_hall(pool, i) for i in ids}  # each id read in its own hall
        return {i: Hall.from_row(row) for i, row in rows.items() if row is not None}

    kind = relay._NODE_TYPES["Hall"]
    monkeypatch.setitem(relay._NODE_TYPES, "Hall", dataclasses.replace(kind, load=leaky))
    caller = token(Role.APPLICANT, hall)
    probe = str(GlobalId("Hall", hall, other_hall))
    assert gql(HALL_NODE, {"id": probe}, token=caller).json() == {"data": {"node": None}}
    own = str(GlobalId("Hall", hall, hall))
    assert gql(HALL_NODE, {"id": own}, token=caller).json()["data"]["node"]["hallId"] == hall


def test_public_nodes_are_found_by_anyone(gql, token, hall, publish, project):
    publish(hall, "P1")
    project()
    item_id = str(GlobalId("ServiceItem", hall, "P1"))
    r = gql(NODE, {"id": item_id}).json()
    assert r["data"]["node"] == {
        "id": item_id,
        "code": "P1",
        "name": f"{hall} 事项 P1",
        "hallId": hall,
    }


def test_a_malformed_global_id_is_a_validation_error(gql):
    assert codes(gql(NODE, {"id": "not base64!"})) == ["VALIDATION"]


PARTNER = """mutation($id: String!) {
  registerPartner(input: {partnerId: $id, name: "伙伴"}) { partnerId }
}"""


def test_an_operator_token_bound_to_a_hall_registers_no_hall(gql, token, hall, platform):
    """An operator token bound to a hall reads that hall alone; registering another hall
    acts on the platform as a whole, like the holiday schedule: FORBIDDEN, nothing recorded."""
    new = f"{hall}-new"
    bound = token(Role.PLATFORM_OPERATOR, hall)
    r = gql(REGISTER, {"id": new, "name": "新大厅"}, token=bound)
    assert codes(r) == ["FORBIDDEN"]
    assert log_head(platform.app_pool, new) == 0
    r = gql(REGISTER, {"id": new, "name": "新大厅"}, token=token(Role.PLATFORM_OPERATOR))
    assert "errors" not in r.json(), r.text


def test_an_operator_token_bound_to_a_hall_registers_no_partner(gql, token, hall, platform):
    partner = f"p-{uuid.uuid4().hex[:12]}"
    before = log_head(platform.app_pool, PLATFORM_LOG)
    r = gql(PARTNER, {"id": partner}, token=token(Role.PLATFORM_OPERATOR, hall))
    assert codes(r) == ["FORBIDDEN"]
    assert log_head(platform.app_pool, PLATFORM_LOG) == before
    r = gql(PARTNER, {"id": partner}, token=token(Role.PLATFORM_OPERATOR))
    assert r.json()["data"]["registerPartner"]["partnerId"] == partner
