"""The tenant-scoped event store (事件存储) of Yanshen.

One shared ``events`` table for every hall (政务服务大厅, tenant) with a gapless position per
hall in commit order, a per-hall sha256 hash chain, and row-level security on ``tenant_id``.
Each hall gets its own ``eventsourcing`` application bound to a recorder for that hall; all
share one connection pool. See ``docs/adr/0001-tenant-scoped-event-store.md``.

Projection packages add their own tables with ``projections/<package>/sql/NNNN_name.sql``
files, applied by :func:`migrate` after the store's; those files must grant on their tables to
``yanshen_app`` / ``yanshen_worker`` themselves (see :mod:`services.store.migrate`).
"""

from __future__ import annotations

from services.store.consumers import record_consumer_position
from services.store.decoding import decode
from services.store.factory import TenantInfrastructureFactory
from services.store.migrate import MigrationError, migrate, migrations_current
from services.store.pool import open_pool
from services.store.recorder import TenantProcessRecorder, TenantSnapshotRecorder
from services.store.store import EventStore
from services.store.subscription import CHANNEL
from services.store.tenant import TenantIdError, UnknownTenantError, validate_tenant_id
from services.store.verify import ChainVerification, verify_chain, verify_tenant

__all__ = [
    "CHANNEL",
    "ChainVerification",
    "EventStore",
    "MigrationError",
    "TenantIdError",
    "TenantInfrastructureFactory",
    "TenantProcessRecorder",
    "TenantSnapshotRecorder",
    "UnknownTenantError",
    "decode",
    "migrate",
    "migrations_current",
    "open_pool",
    "record_consumer_position",
    "validate_tenant_id",
    "verify_chain",
    "verify_tenant",
]
