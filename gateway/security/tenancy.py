"""The hall (tenant) a request may touch: always the token's, never an argument's.

Resolvers get the hall from :func:`hall_of`; a query that takes a hall id (the public
catalog, an operator's view) passes it through :func:`readable_hall`. A record of another
hall answers exactly like one that does not exist: ``None`` / an empty list from queries,
:func:`not_found` from mutations and lookups. Applicants see only their own records:
filter by :func:`applicant_filter` and treat another applicant's record as not found
(:func:`visible_to_caller`). What acts on the platform as a whole (a new hall, a partner)
takes a token bound to no hall (:func:`platform_wide`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gateway.security.principal import Role
from services.shared import ForbiddenError, NotFoundError, validate_hall_id

if TYPE_CHECKING:
    from gateway.context import Info

__all__ = [
    "applicant_filter",
    "hall_of",
    "not_found",
    "platform_wide",
    "readable_hall",
    "visible_to_caller",
]


def hall_of(info: Info) -> str:
    """The hall the caller's token is bound to (``FORBIDDEN`` for a token without one)."""
    tenant = info.context.principal.tenant
    if not tenant:
        raise ForbiddenError("this token is not bound to a hall")
    return tenant


def platform_wide(info: Info, action: str) -> None:
    """``FORBIDDEN`` unless the caller's token is bound to no hall: ``action`` (e.g.
    "registering a hall") changes the platform, not one hall, and a platform operator's
    token bound to a hall is confined to that hall everywhere (:func:`readable_hall`)."""
    if info.context.principal.tenant:
        raise ForbiddenError(
            f"{action} concerns every hall: use an operator token bound to no hall"
        )


def readable_hall(info: Info, hall_id: str | None, *, public: bool = False) -> str | None:
    """The hall to read when the caller names ``hall_id``, or ``None`` (answer "absent").

    - ``public=True`` (public data such as the catalog): any valid hall id;
    - platform operators (not bound to a hall): the hall they name;
    - everyone else: their token's hall; naming another hall gives ``None``, exactly as
      for a hall that does not exist.
    """
    if hall_id is not None:
        hall_id = validate_hall_id(hall_id)
    principal = info.context.principal
    if public and hall_id is not None:
        return hall_id
    if principal.role is Role.PLATFORM_OPERATOR and not principal.tenant:
        return hall_id
    own = principal.tenant
    if own is None:
        return None
    return own if hall_id in {None, own} else None


def not_found(what: str, key: object) -> NotFoundError:
    """The one error for "absent" and "another hall's": same code, same message."""
    return NotFoundError(f"{what} {key!r} does not exist in this hall")


def applicant_filter(info: Info) -> str | None:
    """The applicant id to filter by (an applicant's own records), or ``None`` (no filter)."""
    return info.context.principal.applicant_id


def visible_to_caller(info: Info, applicant_id: str | None) -> bool:
    """False when the caller is an applicant and the record is someone else's."""
    own = info.context.principal.applicant_id
    return own is None or own == applicant_id
