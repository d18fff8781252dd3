"""Security of the gateway: token keys, the caller, per-field access, hall scoping.

Context authors use :func:`allow` on every field and the tenancy helpers in resolvers.
"""

from gateway.security.access import (
    AUTHENTICATED,
    INHERITED,
    PUBLIC,
    Access,
    Audience,
    access_of,
    allow,
    undeclared_fields,
)
from gateway.security.principal import ANONYMOUS, AuthenticationError, Principal, Role
from gateway.security.tenancy import (
    applicant_filter,
    hall_of,
    not_found,
    platform_wide,
    readable_hall,
    visible_to_caller,
)

__all__ = [
    "ANONYMOUS",
    "AUTHENTICATED",
    "HALL_MANAGERS",
    "HALL_STAFF",
    "INHERITED",
    "PUBLIC",
    "Access",
    "Audience",
    "AuthenticationError",
    "Principal",
    "Role",
    "access_of",
    "allow",
    "applicant_filter",
    "hall_of",
    "not_found",
    "platform_wide",
    "readable_hall",
    "undeclared_fields",
    "visible_to_caller",
]

HALL_STAFF = (Role.HALL_ADMIN, Role.SUPERVISOR, Role.STAFF)
"""Everyone who works in a hall: ``@allow(*HALL_STAFF)``."""
HALL_MANAGERS = (Role.HALL_ADMIN, Role.SUPERVISOR)
"""Who manages a hall's people and processes."""
