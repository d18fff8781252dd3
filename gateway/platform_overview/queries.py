"""The platform overview query: every hall and the read models' versions, for platform
operators only.

The overview reads every hall, so it reads through the worker pool (the app pool sees one
hall per transaction). That is why only platform operators may use it, and only with a
token bound to no hall: an operator token bound to a hall reads that hall alone everywhere
else (:func:`~gateway.security.readable_hall`), and must not see every hall here.
"""

from __future__ import annotations

import strawberry

from gateway.context import Info, run_sync
from gateway.platform_overview.hall import HallOverviewType
from gateway.platform_overview.versions import ReadModelVersionType, read_model_versions
from gateway.relay import Connection, connection_from_rows
from gateway.security import INHERITED, Role, allow, platform_wide
from projections.platform import hall_overview, hall_overviews
from projections.runtime.versions import ProjectionVersion
from services.partners import PLATFORM_LOG
from services.shared import NotFoundError, validate_hall_id

__all__ = ["PlatformOverviewQueries", "PlatformOverviewType"]


@allow(INHERITED)
@strawberry.type(
    name="PlatformOverview",
    description="The platform as operators see it: its halls, their activity and the lag "
    "of their read models; the read models' versions.",
)
class PlatformOverviewType:
    @strawberry.field(description="Every hall with events, by hall id.")
    async def halls(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[HallOverviewType]:
        rows = await run_sync(hall_overviews, info.context.platform.worker_pool)
        # The view lists every log; the partners' registry is no hall (nor a valid hall id).
        # Sorted here, as the cursor compares: the database's collation may order otherwise.
        rows = sorted((r for r in rows if r.tenant_id != PLATFORM_LOG), key=lambda r: r.tenant_id)
        return connection_from_rows(
            info,
            rows,
            first=first,
            after=after,
            key=lambda row: (row.tenant_id,),
            node=HallOverviewType.from_row,
        )

    @strawberry.field(description="One hall; NOT_FOUND when it has no events (or no such hall).")
    async def hall(self, info: Info, hall_id: str) -> HallOverviewType:
        hall = validate_hall_id(hall_id)
        row = await run_sync(hall_overview, info.context.platform.worker_pool, hall)
        if row is None:
            raise NotFoundError(f"hall {hall!r} does not exist or has no events yet")
        return HallOverviewType.from_row(row)

    @strawberry.field(
        description="Every read model, by name: the version of this gateway's code against "
        "the one its live tables were built with, and whether a rebuild is pending (the same "
        "as `yanshen projections`)."
    )
    async def read_models(self, info: Info) -> list[ReadModelVersionType]:
        platform = info.context.platform
        versions = await run_sync(read_model_versions, platform.worker_pool, platform.read_models())
        return [ReadModelVersionType.from_version(v) for v in sorted(versions, key=_name)]


def _name(version: ProjectionVersion) -> str:
    return version.projection


@strawberry.type
class PlatformOverviewQueries:
    @allow(Role.PLATFORM_OPERATOR)
    @strawberry.field(
        description="The platform overview: halls, activity, projection lag per hall, "
        "deadlines and the read models' versions (platform operators, with a token bound to "
        "no hall)."
    )
    def platform_overview(self, info: Info) -> PlatformOverviewType:
        platform_wide(info, "the platform overview")
        return PlatformOverviewType()
