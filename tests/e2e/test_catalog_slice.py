"""The vertical slice through a real HTTP server: register a hall, publish an item, read it."""

from __future__ import annotations

import psycopg
import pytest

from gateway.auth import Role

REGISTER = """mutation($id: String!, $name: String!) {
  registerHall(input: {hallId: $id, name: $name, region: "江苏省苏州市"}) { hallId name position }
}"""
PUBLISH = """mutation($code: String!) {
  publishServiceItem(input: {code: $code, name: "帮办代办", category: ASSISTANCE,
    materials: ["身份证", "委托书"], promisedWorkingDays: 5, feeCents: 0}) {
    code name category revision status materials
  }
}"""
CATALOG = """query($hall: String!) {
  serviceCatalog(hallId: $hall) { code name category materials promisedWorkingDays status }
}"""


def _codes(response) -> list[str]:
    return [e["extensions"]["code"] for e in response.json().get("errors") or []]


@pytest.fixture
def hall(gql, token, tenant_id):
    r = gql(REGISTER, {"id": tenant_id, "name": "测试大厅"}, token=token(Role.PLATFORM_OPERATOR))
    assert r.status_code == 200
    assert "errors" not in r.json(), r.text
    assert r.json()["data"]["registerHall"]["position"] == 1
    return tenant_id


def test_operator_registers_hall_and_admin_publishes_item_read_from_catalog(
    gql, token, hall, project
):
    r = gql(PUBLISH, {"code": "BDB-001"}, token=token(Role.HALL_ADMIN, hall))
    assert r.json()["data"]["publishServiceItem"] == {
        "code": "BDB-001",
        "name": "帮办代办",
        "category": "ASSISTANCE",
        "revision": 1,
        "status": "PUBLISHED",
        "materials": ["身份证", "委托书"],
    }
    project()
    catalog = gql(CATALOG, {"hall": hall})  # the public catalog needs no token
    assert catalog.json()["data"]["serviceCatalog"] == [
        {
            "code": "BDB-001",
            "name": "帮办代办",
            "category": "ASSISTANCE",
            "materials": ["身份证", "委托书"],
            "promisedWorkingDays": 5,
            "status": "PUBLISHED",
        }
    ]


def test_a_withdrawn_item_leaves_the_public_catalog(gql, token, hall, project):
    admin = token(Role.HALL_ADMIN, hall)
    gql(PUBLISH, {"code": "X1"}, token=admin)
    r = gql('mutation { withdrawServiceItem(code: "X1", reason: "过时") { status } }', token=admin)
    assert r.json()["data"]["withdrawServiceItem"]["status"] == "WITHDRAWN"
    project()
    assert gql(CATALOG, {"hall": hall}).json()["data"]["serviceCatalog"] == []
    q = "query($h: String!) { serviceCatalog(hallId: $h, includeWithdrawn: true) { status } }"
    assert gql(q, {"h": hall}, token=admin).json()["data"]["serviceCatalog"] == [
        {"status": "WITHDRAWN"}
    ]


def test_mutation_without_token_is_unauthenticated_and_records_nothing(gql, hall, project):
    r = gql(PUBLISH, {"code": "X1"})
    assert _codes(r) == ["UNAUTHENTICATED"]
    assert r.json()["data"] is None
    project()
    assert gql(CATALOG, {"hall": hall}).json()["data"]["serviceCatalog"] == []


@pytest.mark.parametrize("header", ["Bearer not-a-jwt", "Basic dXNlcjpwYXNz", "Bearer"])
def test_a_bad_token_is_rejected_with_401(gql, hall, header):
    r = gql(CATALOG, {"hall": hall}, headers={"Authorization": header})
    assert r.status_code == 401
    assert _codes(r) == ["UNAUTHENTICATED"]


def test_a_forged_token_is_rejected(gql, hall):
    from deploy.settings import Settings
    from gateway.auth import issue_token

    forged = issue_token(
        Settings(jwt_secret="attacker-key-0123456789-abcdefghijklmnopqrstuv"),
        subject="evil",
        role=Role.PLATFORM_OPERATOR,
        tenant=None,
    )
    r = gql(REGISTER, {"id": "evil-hall", "name": "x"}, token=forged)
    assert r.status_code == 401
    assert _codes(r) == ["UNAUTHENTICATED"]


def test_admin_of_hall_a_cannot_publish_into_hall_b(gql, token, hall, project, tenant_id):
    other = f"{hall}-b"
    gql(REGISTER, {"id": other, "name": "B"}, token=token(Role.PLATFORM_OPERATOR))
    # The hall comes from the token only: A's admin always writes into A.
    r = gql(PUBLISH, {"code": "ONLY-A"}, token=token(Role.HALL_ADMIN, hall))
    assert "errors" not in r.json()
    project()
    assert gql(CATALOG, {"hall": other}).json()["data"]["serviceCatalog"] == []
    assert [i["code"] for i in gql(CATALOG, {"hall": hall}).json()["data"]["serviceCatalog"]] == [
        "ONLY-A"
    ]
    # A's admin cannot see B's withdrawn items either: B answers like an empty hall.
    q = "query($h: String!) { serviceCatalog(hallId: $h, includeWithdrawn: true) { code } }"
    assert (
        gql(q, {"h": other}, token=token(Role.HALL_ADMIN, hall)).json()["data"]["serviceCatalog"]
        == []
    )


@pytest.mark.parametrize("role", [Role.STAFF, Role.APPLICANT, Role.AUDITOR, Role.SUPERVISOR])
def test_other_roles_may_not_publish(gql, token, hall, role):
    r = gql(PUBLISH, {"code": "X1"}, token=token(role, hall))
    assert _codes(r) == ["FORBIDDEN"]


def test_only_platform_operators_register_halls(gql, token, hall):
    r = gql(REGISTER, {"id": f"{hall}-new", "name": "x"}, token=token(Role.HALL_ADMIN, hall))
    assert _codes(r) == ["FORBIDDEN"]


def test_registering_a_hall_twice_is_a_conflict(gql, token, hall):
    r = gql(REGISTER, {"id": hall, "name": "again"}, token=token(Role.PLATFORM_OPERATOR))
    assert _codes(r) == ["CONFLICT"]


def test_publishing_a_code_twice_is_a_conflict(gql, token, hall):
    admin = token(Role.HALL_ADMIN, hall)
    gql(PUBLISH, {"code": "X1"}, token=admin)
    assert _codes(gql(PUBLISH, {"code": "X1"}, token=admin)) == ["CONFLICT"]


def test_invalid_input_is_a_validation_error(gql, token, hall):
    admin = token(Role.HALL_ADMIN, hall)
    r = gql(PUBLISH, {"code": "bad code!"}, token=admin)
    assert _codes(r) == ["VALIDATION"]
    r = gql(REGISTER, {"id": "Not A Slug", "name": "x"}, token=token(Role.PLATFORM_OPERATOR))
    assert _codes(r) == ["VALIDATION"]


PUBLISH_NAMED = """mutation($code: String!, $name: String!) {
  publishServiceItem(input: {code: $code, name: $name, category: ASSISTANCE, materials: [],
    promisedWorkingDays: 5, feeCents: 0}) { code }
}"""


def test_text_with_the_nul_character_is_refused_and_the_read_models_go_on(
    gql, token, hall, project, database_url
):
    """U+0000 cannot be in PostgreSQL's text or jsonb: stored, it would stop every read
    model of the hall that parses the event."""
    admin = token(Role.HALL_ADMIN, hall)
    r = gql(PUBLISH_NAMED, {"code": "NUL-001", "name": "帮办\u0000代办"}, token=admin)
    assert _codes(r) == ["VALIDATION"]
    assert "NUL" in r.json()["errors"][0]["message"]
    r = gql(PUBLISH_NAMED, {"code": "BDB-002", "name": "帮办\\u0000代办"}, token=admin)
    assert "errors" not in r.json(), r.text  # a backslash and "u0000" are text like any
    project()
    catalog = gql(CATALOG, {"hall": hall}).json()["data"]["serviceCatalog"]
    assert [(i["code"], i["name"]) for i in catalog] == [("BDB-002", "帮办\\u0000代办")]
    with psycopg.connect(database_url) as conn:
        lag = conn.execute(
            "SELECT count(*) FROM consumer_positions c JOIN tenant_heads h USING (tenant_id)"
            " WHERE c.tenant_id = %s AND c.consumer LIKE 'projection:%%'"
            " AND c.position < h.position",
            (hall,),
        ).fetchone()
    assert lag == (0,)  # every read model is up to date


def test_publishing_into_an_unregistered_hall_is_not_found(gql, token, tenant_id):
    r = gql(PUBLISH, {"code": "X1"}, token=token(Role.HALL_ADMIN, tenant_id))
    assert _codes(r) == ["NOT_FOUND"]


@pytest.mark.parametrize(
    "query",
    [
        "query { serviceCatalog(hallId: ",  # syntax error
        "query { noSuchField }",  # unknown field
        "query { serviceCatalog(hallId: 5) { code } }",  # wrong argument type
    ],
)
def test_malformed_graphql_is_a_validation_error(gql, query):
    r = gql(query)
    assert _codes(r) == ["VALIDATION"]


def test_errors_carry_the_request_id(gql, hall):
    r = gql(PUBLISH, {"code": "X1"}, headers={"X-Request-Id": "req-123"})
    assert r.json()["errors"][0]["extensions"]["requestId"] == "req-123"


def test_oversized_body_is_refused(gateway_url):
    import httpx

    r = httpx.post(
        f"{gateway_url}/graphql",
        content=b"{" + b" " * 2_000_000 + b"}",
        headers={"content-type": "application/json"},
        timeout=30,
    )
    assert r.status_code == 413
    assert r.json()["errors"][0]["extensions"]["code"] == "VALIDATION"


def test_health_and_ready(gateway_url):
    import httpx

    assert httpx.get(f"{gateway_url}/health").json() == {"status": "ok"}
    assert httpx.get(f"{gateway_url}/ready").json() == {"status": "ready"}
    assert "yanshen_consumer_events_total" in httpx.get(f"{gateway_url}/metrics").text
