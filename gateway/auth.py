"""Authentication: JWTs carrying the hall (tenant) and the role of the caller.

Tokens are verified for signature (by ``kid``, with the algorithm pinned per key, see
:mod:`gateway.security.keys`), issuer, audience and expiry, and must name their subject
(a non-empty ``sub``: an applicant's records are filtered by it); anything else answers
``UNAUTHENTICATED``, a token that is not even ASCII text (one a WebSocket's
``connection_init`` sent with a lone surrogate) included.

>>> from deploy.settings import Settings
>>> s = Settings()
>>> p = decode_token(issue_token(s, subject="u1", role=Role.HALL_ADMIN, tenant="demo"), s)
>>> (p.subject, p.role, p.tenant)
('u1', <Role.HALL_ADMIN: 'hall_admin'>, 'demo')
"""

from __future__ import annotations

import time

import jwt

from deploy.settings import Settings
from gateway.security.keys import KeyRing, UnknownKeyError, keyring_for
from gateway.security.principal import ANONYMOUS, AuthenticationError, Principal, Role
from services.shared.ids import HALL_ID_PATTERN, PLATFORM_LOG

__all__ = ["ANONYMOUS", "AuthenticationError", "Principal", "Role", "decode_token", "issue_token"]


def issue_token(
    settings: Settings, *, subject: str, role: Role, tenant: str | None, ttl_seconds: int = 3600
) -> str:
    """An HS256 token (local use, tests, ``yanshen dev-token``), signed with the key
    ``jwt_signing_kid`` names (default: the first of ``jwt_keys``), else the legacy secret."""
    now = int(time.time())
    claims: dict[str, object] = {
        "sub": subject,
        "role": role.value,
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "exp": now + ttl_seconds,
    }
    if tenant:
        claims["tenant"] = tenant
    if settings.jwt_keys:
        keys = dict(settings.jwt_keys)
        kid = settings.jwt_signing_kid or settings.jwt_keys[0][0]
        if kid not in keys:
            raise ValueError(f"YANSHEN_JWT_SIGNING_KID {kid!r} is not in YANSHEN_JWT_KEYS")
        return jwt.encode(claims, keys[kid], algorithm="HS256", headers={"kid": kid})
    if not settings.effective_jwt_secret:
        raise ValueError("no HS256 key is configured: tokens come from the identity provider")
    return jwt.encode(claims, settings.effective_jwt_secret, algorithm="HS256")


def decode_token(token: str, settings: Settings) -> Principal:
    """Verify signature, issuer, audience, expiry and subject; raise
    :class:`AuthenticationError`.

    A token verified before with the same keys is not verified again until it expires
    (:class:`~gateway.security.keys.VerifiedTokens`).
    """
    if not token.isascii():  # PyJWT would raise UnicodeEncodeError for a lone surrogate
        raise AuthenticationError("invalid token: a JWT is ASCII text")
    keyring = keyring_for(settings)
    if not keyring.jwks_due:
        known: Principal | None = keyring.verified.recall(token, leeway=settings.jwt_leeway_seconds)
        if known is not None:
            return known
    generation = keyring.generation
    principal = _verify(token, settings, keyring)
    # Not if the JWKS was read meanwhile (by another request): its key may be gone now.
    if principal.expires_at is not None and keyring.generation == generation:
        keyring.verified.remember(token, principal, expires_at=principal.expires_at)
    return principal


def _verify(token: str, settings: Settings, keyring: KeyRing) -> Principal:
    try:
        key = keyring.key_for(token)
        claims = jwt.decode(
            token,
            key.key,
            algorithms=[key.algorithm],
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            leeway=settings.jwt_leeway_seconds,
            options={"require": ["exp", "iss", "aud", "sub"]},
        )
    except UnknownKeyError as error:
        raise AuthenticationError(f"invalid token: unknown key id {error.args[0]!r}") from None
    except jwt.ExpiredSignatureError:
        raise AuthenticationError("the token has expired; get a new one") from None
    except jwt.InvalidTokenError as error:
        raise AuthenticationError(f"invalid token: {error}") from None
    except OSError as error:  # the JWKS could not be read
        raise AuthenticationError(
            f"the signing keys are unavailable ({type(error).__name__}); try again"
        ) from None
    subject = claims["sub"]
    if not isinstance(subject, str) or not subject.strip():
        raise AuthenticationError(f"invalid token: no subject (sub is {subject!r})")
    try:
        role = Role(str(claims.get("role")))
    except ValueError:
        raise AuthenticationError(f"invalid token: unknown role {claims.get('role')!r}") from None
    tenant = claims.get("tenant")
    if tenant and not (
        isinstance(tenant, str) and HALL_ID_PATTERN.match(tenant) and tenant != PLATFORM_LOG
    ):  # the platform's own log is no hall: a token bound to it would write hall records there
        raise AuthenticationError(f"invalid token: {tenant!r} is no hall id")
    return Principal(
        subject=subject,
        role=role,
        tenant=str(tenant) if tenant else None,
        expires_at=float(claims["exp"]),
    )
