"""The caller: role, subject and the hall (tenant) a token binds them to."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from services.shared import ForbiddenError

__all__ = ["ANONYMOUS", "AuthenticationError", "Principal", "Role"]


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
    expires_at: float | None = None
    """Unix time the token expires (``None`` for anonymous callers)."""

    @property
    def authenticated(self) -> bool:
        return self.role is not None

    @property
    def applicant_id(self) -> str | None:
        """An applicant's own id (the token's subject); ``None`` for every other role.

        Queries filter an applicant's records by it: an applicant sees only their own.
        """
        return self.subject if self.role is Role.APPLICANT else None

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
