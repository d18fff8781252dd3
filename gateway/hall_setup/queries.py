"""The hall setup lists: the staff roster, service places, queues and windows of the
token's hall, read from the ``hall_setup`` read model (``projections/hall_setup``).

Who reads what: hall admins and supervisors every list in full. Staff the places, queues
and windows (the configuration they work in, as the queue board shows it to them) and, of
the roster, their own record only (the token's subject is their badge, 工号): colleagues'
names and trainings are staff personal data they do not need. Applicants, auditors and
operators nothing (``FORBIDDEN``): a staff member's name is personal data, and the hall's
configuration is management data, like the board (applicants find services in the public
catalog). The hall is always the token's; another hall's records are simply not there.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

import strawberry

from gateway.context import Info
from gateway.errors import InputError
from gateway.hall_setup.types import (
    StaffMemberFilter,
    StaffRosterEntryType,
    place_of,
    queue_of,
    window_of,
)
from gateway.places.types import ServicePlaceType, WindowView
from gateway.queue.types import QueueType
from gateway.relay import Connection, SortKey, paginate
from gateway.security import HALL_STAFF, Role, allow, hall_of
from projections.hall_setup import (
    StaffFilter,
    list_places,
    list_queues,
    list_staff,
    list_windows,
)

__all__ = ["HallSetupQueries"]

R = TypeVar("R")
N = TypeVar("N")


def _after(key: SortKey | None, after: str | None) -> str | None:
    """The code or badge a cursor of these lists holds (``VALIDATION`` for any other)."""
    if key is None:
        return None
    if len(key) != 1 or not isinstance(key[0], str):
        raise InputError(f"invalid cursor {after!r}")
    return key[0]


async def _listed(
    info: Info,
    first: int | None,
    after: str | None,
    fetch: Callable[[str | None, int], Sequence[R]],
    code: Callable[[R], str],
    node: Callable[[R], N],
) -> Connection[N]:
    return await paginate(
        info,
        first=first,
        after=after,
        fetch=lambda key, limit: fetch(_after(key, after), limit),
        key=lambda row: (code(row),),
        node=node,
    )


@strawberry.type
class HallSetupQueries:
    @allow(*HALL_STAFF)
    @strawberry.field(
        description="The hall's staff roster by badge number (工号): role, posts, on duty "
        "where, trainings, departed. Hall admins and supervisors read every member; staff "
        "their own record only. A departed member stays listed (offboarded, no posts); an "
        "erased one shows name '[erased]'."
    )
    async def staff_members(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: StaffMemberFilter | None = None,
    ) -> Connection[StaffRosterEntryType]:
        hall, pool = hall_of(info), info.context.platform.app_pool
        principal = info.context.principal
        wanted = filter or StaffMemberFilter()
        where = StaffFilter(
            badge_number=principal.subject if principal.role is Role.STAFF else None,
            role=wanted.role.value if wanted.role is not None else None,
            on_duty=wanted.on_duty,
            departed=wanted.departed,
        )
        return await _listed(
            info,
            first,
            after,
            lambda key, limit: list_staff(pool, hall, where, after=key, limit=limit),
            lambda row: row.badge_number,
            StaffRosterEntryType.from_row,
        )

    @allow(*HALL_STAFF)
    @strawberry.field(
        description="The hall's service places (hall, 基层服务站, online platform) by code "
        "(hall staff)."
    )
    async def service_places(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[ServicePlaceType]:
        hall, pool = hall_of(info), info.context.platform.app_pool
        return await _listed(
            info,
            first,
            after,
            lambda key, limit: list_places(pool, hall, after=key, limit=limit),
            lambda row: row.code,
            place_of,
        )

    @allow(*HALL_STAFF)
    @strawberry.field(
        description="The hall's queues by code: name, number prefix, items served (hall "
        "staff). The call rule and missed-number policy are the hall's: hall { policies }."
    )
    async def queues(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[QueueType]:
        hall, pool = hall_of(info), info.context.platform.app_pool
        return await _listed(
            info,
            first,
            after,
            lambda key, limit: list_queues(pool, hall, after=key, limit=limit),
            lambda row: row.code,
            queue_of,
        )

    @allow(*HALL_STAFF)
    @strawberry.field(
        description="The hall's windows by code: place, items, queues, OPEN / SUSPENDED / "
        "CLOSED (hall staff)."
    )
    async def windows(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[WindowView]:
        hall, pool = hall_of(info), info.context.platform.app_pool
        return await _listed(
            info,
            first,
            after,
            lambda key, limit: list_windows(pool, hall, after=key, limit=limit),
            lambda row: row.code,
            window_of,
        )
