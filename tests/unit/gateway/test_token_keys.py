"""Token verification: HS256 keys rotated by kid, RS256/ES256 from a JWKS, pinned algorithms."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from deploy.settings import ConfigurationError, Settings
from gateway.auth import AuthenticationError, Role, decode_token, issue_token
from gateway.security.keys import _read
from tests.unit.gateway.jwks import EC_KEY, RSA_KEY, jwks, jwks_server, signed

ROTATING = Settings(
    jwt_keys=(
        ("2025-07", "new-secret-0123456789abcdefghijklmnop"),
        ("2025-01", "old-secret-0123456789abcdefghijklmnop"),
    )
)


def test_tokens_are_signed_with_the_first_kid_and_both_kids_verify():
    token = issue_token(ROTATING, subject="u1", role=Role.STAFF, tenant="h1")
    assert jwt.get_unverified_header(token)["kid"] == "2025-07"
    old = signed("old-secret-0123456789abcdefghijklmnop", "2025-01", "HS256")
    assert decode_token(token, ROTATING).subject == decode_token(old, ROTATING).subject == "u1"


def test_the_signing_kid_can_be_chosen():
    settings = Settings(jwt_keys=ROTATING.jwt_keys, jwt_signing_kid="2025-01")
    token = issue_token(settings, subject="u1", role=Role.STAFF, tenant="h1")
    assert jwt.get_unverified_header(token)["kid"] == "2025-01"


def test_a_retired_or_unknown_kid_is_rejected():
    token = signed("retired-secret-0123456789abcdefghijklm", "2024-01", "HS256")
    with pytest.raises(AuthenticationError, match="unknown key id '2024-01'"):
        decode_token(token, ROTATING)


def test_a_token_signed_with_one_kids_secret_but_naming_another_is_rejected():
    token = signed("old-secret-0123456789abcdefghijklmnop", "2025-07", "HS256")
    with pytest.raises(AuthenticationError, match="Signature verification failed"):
        decode_token(token, ROTATING)


def test_without_kid_only_the_legacy_secret_verifies_and_the_dev_key_is_off():
    dev = issue_token(Settings(), subject="u1", role=Role.STAFF, tenant="h1")
    assert Settings().uses_production_key is False
    assert ROTATING.uses_production_key is True
    with pytest.raises(AuthenticationError, match="unknown key id None"):
        decode_token(dev, ROTATING)  # the development key is not accepted once keys are set


@pytest.mark.parametrize(
    ("key", "kid", "algorithm"), [(RSA_KEY, "rsa1", "RS256"), (EC_KEY, "ec1", "ES256")]
)
def test_asymmetric_tokens_verify_against_a_jwks_file(tmp_path, key, kid, algorithm):
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(jwks(rsa1=RSA_KEY, ec1=EC_KEY)))
    settings = Settings(jwt_jwks=str(path))
    principal = decode_token(signed(key, kid, algorithm, role="auditor"), settings)
    assert (principal.subject, principal.role, principal.tenant) == ("u1", Role.AUDITOR, "h1")


def test_the_algorithm_is_pinned_per_key(tmp_path):
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(jwks(rsa1=RSA_KEY, ec1=EC_KEY)))
    settings = Settings(jwt_jwks=str(path))
    # An ES256 token naming the RSA key's kid, and HS256 with the public key as secret.
    with pytest.raises(AuthenticationError):
        decode_token(signed(EC_KEY, "rsa1", "ES256"), settings)
    # The classic confusion attack: HS256 keyed with the RSA public key everyone knows.
    public_pem = RSA_KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    with pytest.raises(AuthenticationError, match="alg"):
        decode_token(_hs256_with(public_pem, kid="rsa1"), settings)


def _hs256_with(secret: bytes, kid: str) -> str:
    def part(data: dict[str, object]) -> str:
        raw = json.dumps(data, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    claims = {"sub": "evil", "role": "platform_operator", "iss": "yanshen", "aud": "yanshen-api"}
    signing_input = (
        f"{part({'alg': 'HS256', 'typ': 'JWT', 'kid': kid})}.{part({**claims, 'exp': 9999999999})}"
    )
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(mac).decode().rstrip('=')}"


@pytest.mark.parametrize(
    "claims",
    [{"aud": "someone-else"}, {"iss": "not-yanshen"}, {"exp": 1}, {"role": "emperor"}],
)
def test_jwks_tokens_with_wrong_claims_are_rejected(tmp_path, claims):
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(jwks(rsa1=RSA_KEY)))
    with pytest.raises(AuthenticationError):
        decode_token(signed(RSA_KEY, "rsa1", "RS256", **claims), Settings(jwt_jwks=str(path)))


def test_a_jwks_url_is_fetched_once_and_again_for_a_new_kid():
    document = jwks(rsa1=RSA_KEY)
    with jwks_server(document) as (url, hits):
        settings = Settings(jwt_jwks=url)
        for _ in range(3):
            assert decode_token(signed(RSA_KEY, "rsa1", "RS256"), settings).subject == "u1"
        assert hits[0] == 1
        # The identity provider rotates in an EC key: an unknown kid re-reads the JWKS
        # (at most every 30 s, so the test moves the clock of the key ring instead of sleeping).
        document["keys"] += jwks(ec1=EC_KEY)["keys"]
        from gateway.security.keys import keyring_for

        keyring_for(settings)._fetched_at -= 60
        assert decode_token(signed(EC_KEY, "ec1", "ES256"), settings).subject == "u1"
        assert hits[0] == 2
        with pytest.raises(AuthenticationError, match="unknown key id 'nope'"):
            decode_token(signed(EC_KEY, "nope", "ES256"), settings)
        assert hits[0] == 2  # an unknown kid does not make every request fetch


def test_an_unreachable_jwks_is_unauthenticated_not_internal():
    settings = Settings(jwt_jwks="http://127.0.0.1:9/jwks.json")
    with pytest.raises(AuthenticationError, match="signing keys are unavailable"):
        decode_token(signed(RSA_KEY, "rsa1", "RS256"), settings)


def test_a_verified_token_is_not_verified_again_until_it_expires(monkeypatch):
    settings = Settings(jwt_leeway_seconds=0, jwt_issuer="verified-once")
    verified = []
    real_decode = jwt.decode
    monkeypatch.setattr(
        "gateway.auth.jwt.decode", lambda *a, **kw: verified.append(1) or real_decode(*a, **kw)
    )
    # exp is whole seconds (iat truncated): a TTL of 1 s could leave a millisecond; 2 s leave
    # at least one, enough for the decodes below before it expires
    token = issue_token(settings, subject="u1", role=Role.STAFF, tenant="h1", ttl_seconds=2)
    for _ in range(3):
        assert decode_token(token, settings).subject == "u1"
    assert len(verified) == 1
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    with pytest.raises(AuthenticationError):  # another string is verified, not recalled
        decode_token(forged, settings)
    time.sleep(max(0.0, decode_token(token, settings).expires_at - time.time()) + 0.05)
    with pytest.raises(AuthenticationError, match="expired"):
        decode_token(token, settings)


def test_a_key_withdrawn_from_the_jwks_fails_after_the_next_read(tmp_path):
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(jwks(rsa1=RSA_KEY)))
    settings = Settings(jwt_jwks=str(path), jwt_jwks_refresh_seconds=60)
    token = signed(RSA_KEY, "rsa1", "RS256")
    assert decode_token(token, settings).subject == "u1"
    path.write_text(json.dumps(jwks(ec1=EC_KEY)))  # the identity provider withdraws rsa1
    assert decode_token(token, settings).subject == "u1"  # until the JWKS is read again
    from gateway.security.keys import keyring_for

    keyring_for(settings)._fetched_at -= 61
    with pytest.raises(AuthenticationError, match="unknown key id 'rsa1'"):
        decode_token(token, settings)


def test_a_token_verified_while_the_jwks_was_read_is_not_remembered(tmp_path, monkeypatch):
    from gateway.security.keys import keyring_for

    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(jwks(rsa1=RSA_KEY)))
    settings = Settings(jwt_jwks=str(path), jwt_jwks_refresh_seconds=60)
    token = signed(RSA_KEY, "rsa1", "RS256")
    keyring = keyring_for(settings)
    decode_token(token, settings)  # this verification itself read the JWKS
    assert keyring.verified.recall(token) is None
    real_decode = jwt.decode

    def decode_during_a_refresh(*args, **kwargs):
        keyring.generation += 1  # another request read the JWKS meanwhile
        return real_decode(*args, **kwargs)

    monkeypatch.setattr("gateway.auth.jwt.decode", decode_during_a_refresh)
    decode_token(token, settings)
    assert keyring.verified.recall(token) is None
    monkeypatch.setattr("gateway.auth.jwt.decode", real_decode)
    decode_token(token, settings)
    assert keyring.verified.recall(token) is not None


@pytest.mark.parametrize("token", ["A\ud800", "eyJ\ud800.e30.x", "窗口.e30.x"])
def test_a_token_that_is_not_ascii_is_unauthenticated_not_internal(tmp_path, token):
    # A lone surrogate (a WebSocket's connection_init is JSON) made PyJWT raise
    # UnicodeEncodeError, which closed the socket as an internal error.
    from gateway.security.keys import keyring_for

    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(jwks(rsa1=RSA_KEY)))
    for settings in (ROTATING, Settings(), Settings(jwt_jwks=str(path))):
        assert keyring_for(settings).needs_fetch(token) is False
        with pytest.raises(AuthenticationError, match="invalid token"):
            decode_token(token, settings)


# A plain http:// JWKS of another host can be replaced on the way (a network attacker, a
# proxy): its keys then sign tokens of any role and any hall. Only loopback may be plain http.
REMOTE_HTTP = "http://192.0.2.1/jwks.json"  # TEST-NET-1: routed nowhere


@pytest.mark.parametrize("url", [REMOTE_HTTP, "http://idp.example/jwks.json"])
def test_a_plain_http_jwks_of_another_host_is_refused_at_startup(url):
    with pytest.raises(ConfigurationError, match="YANSHEN_JWT_JWKS") as refused:
        Settings.from_env({"YANSHEN_JWT_JWKS": url})
    assert url not in str(refused.value)


@pytest.mark.parametrize(
    "url",
    [
        "https://idp.example/jwks.json",
        "http://127.0.0.1:8080/jwks.json",
        "http://localhost/jwks.json",
        "http://[::1]:8080/jwks.json",
        "/etc/yanshen/jwks.json",
    ],
)
def test_https_loopback_and_file_jwks_are_accepted(url):
    assert Settings.from_env({"YANSHEN_JWT_JWKS": url}).jwt_jwks == url


def test_a_plain_http_jwks_of_another_host_is_never_fetched():
    # Settings made in code are not checked by from_env: the key ring refuses them itself.
    with pytest.raises(AuthenticationError, match="InsecureJwksError"):
        decode_token(signed(RSA_KEY, "rsa1", "RS256"), Settings(jwt_jwks=REMOTE_HTTP))


@contextmanager
def _redirecting_to(location: str) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(302)
            self.send_header("Location", location)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/jwks.json"
    finally:
        server.shutdown()
        server.server_close()


def test_a_jwks_redirect_to_plain_http_of_another_host_is_not_followed():
    with (
        _redirecting_to(REMOTE_HTTP) as url,
        pytest.raises(AuthenticationError, match="InsecureJwksError"),
    ):
        decode_token(signed(RSA_KEY, "rsa1", "RS256"), Settings(jwt_jwks=url))


def test_a_jwks_redirect_within_loopback_is_followed():
    with jwks_server(jwks(rsa1=RSA_KEY)) as (target, hits), _redirecting_to(target) as url:
        assert decode_token(signed(RSA_KEY, "rsa1", "RS256"), Settings(jwt_jwks=url)).subject == (
            "u1"
        )
        assert hits[0] == 1


def test_a_jwks_url_with_its_scheme_in_capitals_is_fetched_not_read_as_a_file():
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b'{"keys": []}'
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        assert _read(f"HTTP://127.0.0.1:{server.server_address[1]}/jwks.json") == '{"keys": []}'
    finally:
        server.shutdown()
        server.server_close()
