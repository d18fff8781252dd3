"""Tokens through a real server: kid rotation, a JWKS served over HTTP, rejected tokens."""

from __future__ import annotations

import pytest

from deploy.settings import Settings
from tests.e2e.gateway.conftest import codes
from tests.unit.gateway.jwks import EC_KEY, RSA_KEY, jwks, jwks_server, signed

WHO = 'query { hall(hallId: "no-such-hall") { hallId } }'
NEW, OLD = "key-2025-07-0123456789abcdefghijklmnop", "key-2025-01-0123456789abcdefghijklmnop"


@pytest.fixture
def idp_server(serve):
    """A gateway trusting two HS256 kids and the JWKS of an identity provider (over HTTP)."""
    with jwks_server(jwks(rsa1=RSA_KEY, ec1=EC_KEY)) as (url, _):
        settings = Settings(jwt_keys=(("2025-07", NEW), ("2025-01", OLD)), jwt_jwks=url)
        yield serve(settings=settings)


@pytest.mark.parametrize(
    ("key", "kid", "algorithm"),
    [
        (NEW, "2025-07", "HS256"),
        (OLD, "2025-01", "HS256"),
        (RSA_KEY, "rsa1", "RS256"),
        (EC_KEY, "ec1", "ES256"),
    ],
)
def test_every_configured_key_is_accepted(idp_server, key, kid, algorithm):
    r = idp_server.gql(WHO, token=signed(key, kid, algorithm))
    assert r.status_code == 200
    assert r.json() == {"data": {"hall": None}}


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        (signed("attacker-key-0123456789abcdefghijklmnop", "2025-07", "HS256"), "forged"),
        (signed(NEW, "2025-07", "HS256", exp=1), "expired"),
        (signed(NEW, "2025-07", "HS256", aud="another-api"), "wrong audience"),
        (signed(NEW, "2025-07", "HS256", iss="another-issuer"), "wrong issuer"),
        (signed(NEW, "2024-01", "HS256"), "unknown kid"),
        (signed(RSA_KEY, "unknown-rsa", "RS256"), "unknown JWKS kid"),
        (signed(EC_KEY, "rsa1", "ES256"), "algorithm not the key's"),
        (signed(NEW, None, "HS256"), "no kid and no legacy key"),
        (signed(NEW, "2025-07", "HS256", sub=""), "empty subject"),
        (signed(NEW, "2025-07", "HS256", sub="", role="applicant"), "applicant, no subject"),
    ],
)
def test_bad_tokens_are_unauthenticated_with_401(idp_server, token, reason):
    r = idp_server.gql(WHO, token=token)
    assert r.status_code == 401, reason
    assert codes(r) == ["UNAUTHENTICATED"], reason
    assert r.headers["www-authenticate"] == "Bearer"
    assert r.json()["data"] is None
