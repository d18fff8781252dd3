"""GraphQL: platform operators register partners; hall admins grant and revoke."""

from __future__ import annotations

from gateway.auth import Role
from tests.integration.relay.support import new_partner_id

REGISTER = """
mutation($input: RegisterPartnerInput!) {
  registerPartner(input: $input) { partnerId name topic position }
}"""
GRANT = """
mutation($p: String!, $types: [String!]!, $personal: Boolean!, $start: GrantStart!) {
  grantPartner(partnerId: $p, eventTypes: $types, personalData: $personal, start: $start) {
    hallId partnerId patterns eventTypes personalData active topic position
  }
}"""
REVOKE = """
mutation($p: String!) { revokePartnerGrant(partnerId: $p, reason: "ended") { active position } }
"""


def _code(response) -> str:
    return response.json()["errors"][0]["extensions"]["code"]


def test_operators_register_and_hall_admins_grant_and_revoke(gql, token, hall):
    partner = new_partner_id()
    operator = token(Role.PLATFORM_OPERATOR)
    admin = token(Role.HALL_ADMIN, hall)
    registered = gql(
        REGISTER, {"input": {"partnerId": partner, "name": "税务局"}}, token=operator
    ).json()
    assert registered["data"]["registerPartner"]["topic"] == f"yanshen.partner.{partner}"

    variables = {"p": partner, "types": ["queue.*"], "personal": False, "start": "BEGINNING"}
    granted = gql(GRANT, variables, token=admin).json()["data"]["grantPartner"]
    assert granted["hallId"] == hall
    assert granted["active"] is True
    assert granted["patterns"] == ["queue.*"]  # as granted: later queue types too
    assert "queue.TicketIssued" in granted["eventTypes"]
    assert granted["position"] == 2  # after the hall's registration

    revoked = gql(REVOKE, {"p": partner}, token=admin).json()["data"]["revokePartnerGrant"]
    assert revoked == {"active": False, "position": 3}
    assert _code(gql(REVOKE, {"p": partner}, token=admin)) == "CONFLICT"


def test_refusals_carry_stable_codes(gql, token, hall):
    partner = new_partner_id()
    admin = token(Role.HALL_ADMIN, hall)
    register = {"input": {"partnerId": partner, "name": "n"}}
    assert _code(gql(REGISTER, register, token=admin)) == "FORBIDDEN"
    assert _code(gql(REGISTER, register)) == "UNAUTHENTICATED"
    bad_id = {"input": {"partnerId": "Not_A_Slug", "name": "n"}}
    assert _code(gql(REGISTER, bad_id, token=token(Role.PLATFORM_OPERATOR))) == "VALIDATION"
    grant = {"p": partner, "types": ["queue.*"], "personal": False, "start": "NOW"}
    assert _code(gql(GRANT, grant, token=admin)) == "NOT_FOUND"
    gql(REGISTER, register, token=token(Role.PLATFORM_OPERATOR))
    assert _code(gql(GRANT, {**grant, "types": ["queue.Bogus"]}, token=admin)) == "VALIDATION"
    assert _code(gql(GRANT, {**grant, "types": ["audit.*"]}, token=admin)) == "VALIDATION"
    assert _code(gql(GRANT, grant, token=token(Role.STAFF, hall))) == "FORBIDDEN"
    assert _code(gql(GRANT, grant, token=token(Role.PARTNER_ADMIN, hall))) == "FORBIDDEN"
