"""Authentication: JWTs carrying the hall (tenant) and the role of the caller.

>>> from deploy.settings import Settings
>>> s = Settings()
>>> p = decode_token(issue_token(s, subject="u1", role=Role.HALL_ADMIN, tenant="demo"), s)
>>> (p.subject, p.role, p.tenant)
('u1', <Role.HALL_ADMIN: 'hall_admin'>, 'demo')
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import StrEnum

import jwt

from deploy.settings import Settings
from services.shared import ForbiddenError

__all__ = ["ANONYMOUS", "AuthenticationError", "Principal", "Role", "decode_token", "issue_token"]


class Role(StrEnum):
    """Who the caller is on the platform."""

    PLATFORM_OPERATOR = "platform_operator"
    HALL_ADMIN = "hall_admin"
    SUPERVISOR = "supervisor"
    STAFF = "staff"
    APPLICANT = "applicant"
    AUDITOR = "auditor"
    PARTNER_ADMIN = "partner_admin"


class AuthenticationError(Exception):
    """The token is missing where required, malformed, forged or expired."""

    code = "UNAUTHENTICATED"


@dataclass(frozen=True)
class Principal:
    """The authenticated caller: subject, role and the hall the token is bound to."""

    subject: str
    role: Role | None
    tenant: str | None

    @property
    def authenticated(self) -> bool:
        return self.role is not None

    def require(self, *roles: Role) -> Role:
        """Raise unless the caller has one of ``roles`` (an anonymous caller is unauthenticated)."""
        if self.role is None:
            raise AuthenticationError(
                "this operation needs a token: send 'Authorization: Bearer …'"
            )
        if self.role not in roles:
            allowed = ", ".join(r.value for r in roles)
            raise ForbiddenError(f"role {self.role.value} may not do this (allowed: {allowed})")
        return self.role

    def require_hall(self, *roles: Role) -> str:
        """Like :meth:`require`, and return the hall the token is bound to."""
        self.require(*roles)
        if not self.tenant:
            raise ForbiddenError("this token is not bound to a hall")
        return self.tenant


ANONYMOUS = Principal(subject="anonymous", role=None, tenant=None)


def issue_token(
    settings: Settings, *, subject: str, role: Role, tenant: str | None, ttl_seconds: int = 3600
) -> str:
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
    return jwt.encode(claims, settings.effective_jwt_secret, algorithm="HS256")


def decode_token(token: str, settings: Settings) -> Principal:
    """Verify signature, issuer, audience and expiry; raise :class:`AuthenticationError`."""
    try:
        claims = jwt.decode(
            token,
            settings.effective_jwt_secret,
            algorithms=["HS256"],
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            options={"require": ["exp", "iss", "aud", "sub"]},
        )
    except jwt.ExpiredSignatureError:
        raise AuthenticationError("the token has expired; get a new one") from None
    except jwt.InvalidTokenError as error:
        raise AuthenticationError(f"invalid token: {error}") from None
    try:
        role = Role(str(claims.get("role")))
    except ValueError:
        raise AuthenticationError(f"invalid token: unknown role {claims.get('role')!r}") from None
    tenant = claims.get("tenant")
    return Principal(subject=str(claims["sub"]), role=role, tenant=str(tenant) if tenant else None)
