"""Tokens: signature, issuer, audience, expiry, roles."""

from __future__ import annotations

import time

import jwt
import pytest

from deploy.settings import DEV_JWT_SECRET, Settings
from gateway.auth import AuthenticationError, Role, decode_token, issue_token
from services.shared import ForbiddenError

SETTINGS = Settings(jwt_secret="s3cret-for-tests-0123456789abcdefghijkl")


def test_round_trip():
    token = issue_token(SETTINGS, subject="u1", role=Role.HALL_ADMIN, tenant="h1")
    principal = decode_token(token, SETTINGS)
    assert (principal.subject, principal.role, principal.tenant) == ("u1", Role.HALL_ADMIN, "h1")
    assert principal.require_hall(Role.HALL_ADMIN) == "h1"


def test_forged_signature_is_rejected():
    token = issue_token(
        Settings(jwt_secret="another-key-0123456789abcdefghijklmnop"),
        subject="u",
        role=Role.HALL_ADMIN,
        tenant="h1",
    )
    with pytest.raises(AuthenticationError, match="invalid token"):
        decode_token(token, SETTINGS)


@pytest.mark.parametrize("tenant", ["platform", "Hall-1", "-h"])
def test_a_token_bound_to_no_hall_is_rejected(tenant):
    """The platform's own log (partners, holiday schedules) is no hall a token may act in."""
    token = issue_token(SETTINGS, subject="u", role=Role.HALL_ADMIN, tenant=tenant)
    with pytest.raises(AuthenticationError, match="is no hall id"):
        decode_token(token, SETTINGS)


def test_expired_token_is_rejected():
    token = issue_token(SETTINGS, subject="u", role=Role.STAFF, tenant="h1", ttl_seconds=-10)
    with pytest.raises(AuthenticationError, match="expired"):
        decode_token(token, SETTINGS)


@pytest.mark.parametrize(
    "claims",
    [
        {"sub": ""},  # an applicant's records are filtered by it: empty would be no filter
        {"sub": "   "},
        {"sub": 42},
        {"aud": "someone-else"},
        {"iss": "not-yanshen"},
        {"role": "emperor"},
        {"tenant": "BAD HALL"},
        {"tenant": "h1\n"},  # a hall id with a line break would be a hall of its own
        {"tenant": ["h1"]},
    ],
)
def test_wrong_claims_are_rejected(claims):
    base = {
        "sub": "u",
        "role": "staff",
        "iss": "yanshen",
        "aud": "yanshen-api",
        "exp": int(time.time()) + 60,
        "tenant": "h1",
    }
    token = jwt.encode(
        {**base, **claims}, "s3cret-for-tests-0123456789abcdefghijkl", algorithm="HS256"
    )
    with pytest.raises(AuthenticationError):
        decode_token(token, SETTINGS)


def test_alg_none_is_rejected():
    token = jwt.encode(
        {
            "sub": "u",
            "role": "platform_operator",
            "iss": "yanshen",
            "aud": "yanshen-api",
            "exp": int(time.time()) + 60,
        },
        None,
        algorithm="none",
    )
    with pytest.raises(AuthenticationError):
        decode_token(token, SETTINGS)


def test_roles_are_enforced():
    principal = decode_token(
        issue_token(SETTINGS, subject="u", role=Role.STAFF, tenant="h1"), SETTINGS
    )
    with pytest.raises(ForbiddenError):
        principal.require(Role.HALL_ADMIN)
    operator = decode_token(
        issue_token(SETTINGS, subject="op", role=Role.PLATFORM_OPERATOR, tenant=None), SETTINGS
    )
    with pytest.raises(ForbiddenError, match="not bound to a hall"):
        operator.require_hall(Role.PLATFORM_OPERATOR)


def test_production_key_detection():
    assert Settings(jwt_secret="real").uses_production_key
    assert not Settings().uses_production_key


def test_a_token_with_an_empty_subject_is_unauthenticated():
    claims = {
        "sub": "",
        "role": "applicant",
        "tenant": "h1",
        "iss": "yanshen",
        "aud": "yanshen-api",
        "exp": int(time.time()) + 60,
    }
    token = jwt.encode(claims, "s3cret-for-tests-0123456789abcdefghijkl", algorithm="HS256")
    with pytest.raises(AuthenticationError, match="no subject"):
        decode_token(token, SETTINGS)


def test_serve_is_refused_the_public_development_key_unless_allowed(monkeypatch):
    for name in ("YANSHEN_JWT_SECRET", "YANSHEN_JWT_KEYS", "YANSHEN_JWT_JWKS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("YANSHEN_ALLOW_DEV_KEY", raising=False)
    assert "YANSHEN_JWT_JWKS" in (Settings.from_env().dev_key_refusal or "")
    assert Settings(jwt_secret=DEV_JWT_SECRET).dev_key_refusal is not None
    assert Settings(jwt_secret="real").dev_key_refusal is None
    assert Settings(jwt_keys=(("k1", "real"),)).dev_key_refusal is None
    assert Settings(jwt_jwks="https://idp.example/jwks.json").dev_key_refusal is None
    monkeypatch.setenv("YANSHEN_ALLOW_DEV_KEY", "1")
    assert Settings.from_env().allow_dev_key is True
    assert Settings.from_env().dev_key_refusal is None
