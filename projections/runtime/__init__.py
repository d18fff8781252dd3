"""The machinery every projection shares: the projection interface, batches, the worker,
rebuilds, and tenant-scoped reads. See ``docs/projections.md`` for how to write a read model."""

from projections.runtime.batch import Batch, EventRow, decode_row
from projections.runtime.compare import TableDifference
from projections.runtime.db import tenant_connection
from projections.runtime.errors import (
    HallRebuildError,
    ProjectionOutdatedError,
    RebuildError,
    RebuildRunningError,
    RebuildVersionError,
)
from projections.runtime.group import GROUP_CONSUMER, ProjectionGroupConsumer
from projections.runtime.handlers import HandlerConnection
from projections.runtime.options import ProjectionOptions
from projections.runtime.projection import Projection, ProjectionDefinitionError, handled_topics
from projections.runtime.rebuild import Rebuild, RebuildReport
from projections.runtime.rows import (
    BatchRows,
    BatchRowsProjection,
    RowTable,
    json_array,
    update_record,
)
from projections.runtime.sweep import RebuildLeftovers, sweep_stale_rebuilds
from projections.runtime.tracking import GroupBatch, Member, apply_group_batch, apply_next_batch
from projections.runtime.upgrade import VersionUpgrades
from projections.runtime.versions import (
    ProjectionVersion,
    VersionState,
    adopt_versions,
    read_versions,
)
from projections.runtime.worker import ProjectionConsumer, ProjectionWorker

__all__ = [
    "GROUP_CONSUMER",
    "Batch",
    "BatchRows",
    "BatchRowsProjection",
    "EventRow",
    "GroupBatch",
    "HallRebuildError",
    "HandlerConnection",
    "Member",
    "Projection",
    "ProjectionConsumer",
    "ProjectionDefinitionError",
    "ProjectionGroupConsumer",
    "ProjectionOptions",
    "ProjectionOutdatedError",
    "ProjectionVersion",
    "ProjectionWorker",
    "Rebuild",
    "RebuildError",
    "RebuildLeftovers",
    "RebuildReport",
    "RebuildRunningError",
    "RebuildVersionError",
    "RowTable",
    "TableDifference",
    "VersionState",
    "VersionUpgrades",
    "adopt_versions",
    "apply_group_batch",
    "apply_next_batch",
    "decode_row",
    "handled_topics",
    "json_array",
    "read_versions",
    "sweep_stale_rebuilds",
    "tenant_connection",
    "update_record",
]
