"""The keys tokens are verified with: HS256 secrets by ``kid`` and a JWKS (RS256/ES256).

Every key pins its algorithm: a token is verified only with the algorithm of the key its
``kid`` names, so an RS256 public key can never be used as an HS256 secret, and ``none`` is
never accepted. A token without ``kid`` is verified with the legacy secret
(``YANSHEN_JWT_SECRET``, or the development key when nothing is configured).

A JWKS comes from a file or an https URL (plain http only on loopback, and no redirect
leads elsewhere: a JWKS replaced on the way would sign any token); it is read again after
``jwt_jwks_refresh_seconds``, and at once (at most every 30 s) when a token names a ``kid``
that is not in it, so a key the identity provider just rotated in is picked up.

Verifying a token (base64 checks, HMAC or RSA, claims) costs more CPU than many queries;
clients send the same token with every request. :class:`VerifiedTokens` remembers the
callers of tokens verified with the ring's current keys until they expire, and forgets them
all whenever the JWKS is read again, so a key the identity provider withdrew stops working
within ``jwt_jwks_refresh_seconds`` as before.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Generic, TypeVar
from urllib.parse import urlsplit

import jwt

from deploy.settings import Settings, insecure_jwks_url

__all__ = [
    "ASYMMETRIC_ALGORITHMS",
    "InsecureJwksError",
    "KeyRing",
    "UnknownKeyError",
    "VerificationKey",
    "VerifiedTokens",
    "keyring_for",
]

ASYMMETRIC_ALGORITHMS = frozenset({"RS256", "ES256"})
"""Algorithms accepted from a JWKS."""

MIN_REFETCH_SECONDS = 30.0
"""An unknown ``kid`` triggers at most one JWKS fetch per this many seconds."""

VERIFIED_TOKENS = 10_000
"""Verified tokens remembered per key ring (the oldest is forgotten first)."""


T = TypeVar("T")


class UnknownKeyError(LookupError):
    """The token names a key id that no configured key has."""


class InsecureJwksError(OSError):
    """A JWKS URL, or a redirect, to plain http of another host (or from https to http):
    not read. An ``OSError``, like any JWKS that cannot be read (``UNAUTHENTICATED``)."""


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    """Follows a JWKS redirect only where the JWKS itself could be: https, or http on
    loopback; never from https down to http."""

    def redirect_request(
        self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any, newurl: str
    ) -> urllib.request.Request | None:
        downgrade = req.full_url.startswith("https://") and not newurl.startswith("https://")
        if downgrade or not newurl.startswith(("http://", "https://")) or insecure_jwks_url(newurl):
            raise InsecureJwksError("the JWKS redirects to an insecure location")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_CheckedRedirects)


@dataclass(frozen=True)
class VerificationKey:
    """One key and the one algorithm it may verify."""

    kid: str | None
    algorithm: str
    key: Any = field(repr=False)  # an HS256 key is a secret


class KeyRing:
    """The verification keys of one configuration (thread-safe)."""

    def __init__(self, settings: Settings) -> None:
        self._static: dict[str | None, VerificationKey] = {
            kid: VerificationKey(kid, "HS256", secret) for kid, secret in settings.jwt_keys
        }
        legacy = settings.effective_jwt_secret
        if legacy:
            self._static[None] = VerificationKey(None, "HS256", legacy)
        self._source = settings.jwt_jwks
        self._refresh = settings.jwt_jwks_refresh_seconds
        self._jwks: dict[str, VerificationKey] = {}
        self._fetched_at = float("-inf")
        self._lock = threading.Lock()
        self.verified: VerifiedTokens[Any] = VerifiedTokens()
        """Callers of tokens verified with the current keys."""
        self.generation = 0
        """Counts the JWKS reads: a token verified before a read is not remembered after it."""

    @property
    def jwks_due(self) -> bool:
        """Whether the JWKS is to be read again (tokens must then be verified afresh)."""
        return bool(self._source) and time.monotonic() - self._fetched_at > self._refresh

    def key_for(self, token: str) -> VerificationKey:
        """The key that must have signed ``token`` (by its ``kid``); raises
        :class:`UnknownKeyError`, or :class:`jwt.InvalidTokenError` for a malformed header."""
        header = jwt.get_unverified_header(token)
        kid = header.get("kid")
        if kid is not None and not isinstance(kid, str):
            raise jwt.InvalidTokenError("the kid header must be a string")
        if kid in self._static:
            return self._static[kid]
        if kid is None or not self._source:
            raise UnknownKeyError(kid)
        found = self._jwks_key(kid)
        if found is None:
            raise UnknownKeyError(kid)
        return found

    def needs_fetch(self, token: str) -> bool:
        """Whether :meth:`key_for` would read the JWKS (callers then run it off the loop)."""
        if not self._source or (not self.jwks_due and self.verified.recall(token) is not None):
            return False
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except (jwt.InvalidTokenError, UnicodeError):  # not a JWT: decode_token refuses it
            return False
        if kid in self._static:
            return False
        age = time.monotonic() - self._fetched_at
        return age > self._refresh or (kid not in self._jwks and age > MIN_REFETCH_SECONDS)

    def _jwks_key(self, kid: str) -> VerificationKey | None:
        with self._lock:
            age = time.monotonic() - self._fetched_at
            if age > self._refresh or (kid not in self._jwks and age > MIN_REFETCH_SECONDS):
                self._fetched_at = time.monotonic()
                self._jwks = _parse_jwks(_read(self._source))
                self.generation += 1
                self.verified.clear()  # a withdrawn key's tokens must fail from now on
            return self._jwks.get(kid)


class VerifiedTokens(Generic[T]):
    """Tokens already verified and what they said (``T``), each until its expiry (bounded).

    >>> tokens: VerifiedTokens[str] = VerifiedTokens(capacity=2)
    >>> tokens.remember("t1", "caller 1", expires_at=time.time() + 60)
    >>> tokens.recall("t1"), tokens.recall("t2")
    ('caller 1', None)
    >>> tokens.remember("t0", "gone", expires_at=time.time() - 1)
    >>> tokens.recall("t0") is None
    True
    """

    def __init__(self, capacity: int = VERIFIED_TOKENS) -> None:
        self._capacity = capacity
        self._entries: dict[str, tuple[T, float]] = {}
        self._lock = threading.Lock()

    def remember(self, token: str, caller: T, *, expires_at: float) -> None:
        with self._lock:
            self._entries.pop(token, None)
            if len(self._entries) >= self._capacity:
                del self._entries[next(iter(self._entries))]
            self._entries[token] = (caller, expires_at)

    def recall(self, token: str, *, leeway: float = 0.0) -> T | None:
        """The caller of ``token`` if it was verified and has not expired since."""
        entry = self._entries.get(token)
        if entry is None:
            return None
        caller, expires_at = entry
        if time.time() >= expires_at + leeway:
            with self._lock:
                self._entries.pop(token, None)
            return None
        return caller

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def _read(source: str) -> str:
    if urlsplit(source).scheme in ("http", "https"):  # schemes are case-insensitive
        if insecure_jwks_url(source):
            raise InsecureJwksError("the JWKS is a plain http:// URL of another host")
        with _OPENER.open(source, timeout=5) as response:
            return str(response.read().decode("utf-8"))
    return Path(source).read_text(encoding="utf-8")


def _parse_jwks(text: str) -> dict[str, VerificationKey]:
    """Keys with a ``kid`` and an allowed algorithm; others are skipped, not trusted."""
    keys: dict[str, VerificationKey] = {}
    for data in json.loads(text).get("keys", []):
        if not isinstance(data, dict) or not isinstance(data.get("kid"), str):
            continue
        if data.get("use", "sig") != "sig":
            continue
        try:
            jwk = jwt.PyJWK(data)
        except (jwt.PyJWKError, jwt.InvalidKeyError, ValueError):
            continue
        if jwk.algorithm_name in ASYMMETRIC_ALGORITHMS:
            keys[data["kid"]] = VerificationKey(data["kid"], jwk.algorithm_name, jwk.key)
    return keys


@lru_cache(maxsize=16)
def keyring_for(settings: Settings) -> KeyRing:
    """The key ring of ``settings`` (one per configuration, shared by the process)."""
    return KeyRing(settings)
