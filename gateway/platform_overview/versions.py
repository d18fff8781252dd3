"""The read models' versions in the platform overview: the version of the serving gateway
process's code against the one each read model's live tables were built with
(``projection_versions``; the same as ``yanshen projections``).

An operator dashboard sees from it that a read model is being rebuilt after an upgrade (its
rows are the older version's until the swap) or that this code is older than the live tables
(an old process left running).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import strawberry

from gateway.places.types import graphql_enum
from gateway.security import INHERITED, allow
from projections.runtime import Projection
from projections.runtime.versions import ProjectionVersion, VersionState, read_versions
from services.store.pool import Pool

__all__ = ["ReadModelStateEnum", "ReadModelVersionType", "read_model_versions"]

if TYPE_CHECKING:
    ReadModelStateEnum = VersionState
else:
    ReadModelStateEnum = graphql_enum(
        VersionState,
        "ReadModelState",
        "Where a read model stands: CURRENT (built by this code's version); REBUILD_PENDING "
        "(built by an older version: the projection worker rebuilds it online, its rows are the "
        "older version's until the swap); CODE_OLDER_THAN_LIVE (built by a newer version than "
        "this gateway's code: workers running this code apply nothing to it); NOT_RECORDED "
        "(no version recorded yet: `yanshen migrate` or the projection worker records it).",
    )


@allow(INHERITED)
@strawberry.type(
    name="ReadModelVersion",
    description="One read model: the version of this gateway's code against the version its "
    "live tables were built with.",
)
class ReadModelVersionType:
    name: str = strawberry.field(description="The projection's name, e.g. queue_board.")
    code_version: int = strawberry.field(
        description="The version of the read model in the code of the gateway process serving "
        "this request."
    )
    live_version: int | None = strawberry.field(
        description="The version the live tables were built with (null: not recorded yet)."
    )
    state: ReadModelStateEnum

    @classmethod
    def from_version(cls, version: ProjectionVersion) -> ReadModelVersionType:
        return cls(
            name=version.projection,
            code_version=version.code,
            live_version=version.live if version.recorded else None,
            state=ReadModelStateEnum(version.state.value),
        )


def read_model_versions(pool: Pool, read_models: list[Projection]) -> list[ProjectionVersion]:
    """The versions of ``read_models`` (the platform's: ``Platform.read_models``; worker
    pool: ``projection_versions`` is no hall's)."""
    with pool.connection() as conn:
        return read_versions(conn, read_models)
