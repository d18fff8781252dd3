"""The ``eventsourcing`` infrastructure factory that binds an application to one hall.

:class:`TenantInfrastructureFactory` is found by the library through the application's
environment (``PERSISTENCE_MODULE=services.store.factory:TenantInfrastructureFactory``) and
reads:

- ``YANSHEN_TENANT_ID``: the hall;
- ``YANSHEN_POOL_KEY``: a pool registered with :func:`register_pool` (what
  :meth:`services.store.EventStore.application` passes), or else ``YANSHEN_DATABASE_URL`` /
  ``DATABASE_URL``: a pool with role ``app`` opened once per process and URL and shared.

So every hall's application uses the one shared pool, never a pool of its own.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any, cast

from eventsourcing.persistence import (
    AggregateRecorder,
    ApplicationRecorder,
    InfrastructureFactory,
    InfrastructureFactoryError,
    ProcessRecorder,
)
from eventsourcing.utils import Environment, EnvType, get_topic

from services.store.pool import Pool, open_pool
from services.store.recorder import (
    OriginatorIdType,
    TenantProcessRecorder,
    TenantSnapshotRecorder,
)

__all__ = ["Factory", "TenantInfrastructureFactory", "factory_env", "register_pool"]

TENANT_ID = "YANSHEN_TENANT_ID"
POOL_KEY = "YANSHEN_POOL_KEY"
DATABASE_URL = "YANSHEN_DATABASE_URL"

_pools: weakref.WeakValueDictionary[str, Pool] = weakref.WeakValueDictionary()
_url_pools: dict[str, Pool] = {}
_lock = threading.Lock()


def register_pool(pool: Pool) -> str:
    """Make ``pool`` findable by factories; return its key for ``YANSHEN_POOL_KEY``."""
    key = f"pool-{id(pool):x}"
    with _lock:
        _pools[key] = pool
    return key


def factory_env(pool_key: str, tenant_id: str) -> dict[str, str]:
    """The environment entries that bind an application to ``tenant_id`` on a pool."""
    return {
        InfrastructureFactory.PERSISTENCE_MODULE: get_topic(TenantInfrastructureFactory),
        POOL_KEY: pool_key,
        TENANT_ID: tenant_id,
    }


def _pool_from_env(env: Environment) -> Pool:
    key = env.get(POOL_KEY)
    if key:
        pool = _pools.get(key)
        if pool is None:
            raise InfrastructureFactoryError(f"no registered connection pool {key!r}")
        return pool
    url = env.get(DATABASE_URL) or env.get("DATABASE_URL")
    if not url:
        raise InfrastructureFactoryError(
            f"set {POOL_KEY} (see register_pool) or {DATABASE_URL}/DATABASE_URL"
        )
    with _lock:
        if url not in _url_pools:
            _url_pools[url] = open_pool(url, "app")
        return _url_pools[url]


class TenantInfrastructureFactory(InfrastructureFactory[TenantProcessRecorder]):
    """Recorders of one hall on the shared pool (snapshots in the ``snapshots`` table)."""

    def __init__(self, env: Environment | EnvType | None) -> None:
        super().__init__(env)
        tenant_id = self.env.get(TENANT_ID)
        if not tenant_id:
            raise InfrastructureFactoryError(f"{TENANT_ID} is not set")
        self.pool = _pool_from_env(self.env)
        self.tenant_id = tenant_id
        id_type = (self.env.get("ORIGINATOR_ID_TYPE") or "uuid").lower()
        self.originator_id_type: OriginatorIdType = "text" if id_type == "text" else "uuid"
        self._recorder: TenantProcessRecorder | None = None

    def _process_recorder(self) -> TenantProcessRecorder:
        if self._recorder is None:
            self._recorder = TenantProcessRecorder(
                self.pool, self.tenant_id, originator_id_type=self.originator_id_type
            )
        return self._recorder

    def aggregate_recorder(self, purpose: str = "events") -> AggregateRecorder:
        if purpose == "snapshots":
            return TenantSnapshotRecorder(
                self.pool, self.tenant_id, originator_id_type=self.originator_id_type
            )
        return self._process_recorder()

    def application_recorder(self) -> ApplicationRecorder:
        return self._process_recorder()

    def process_recorder(self) -> ProcessRecorder:
        return self._process_recorder()

    def tracking_recorder(
        self, tracking_recorder_class: type[TenantProcessRecorder] | None = None
    ) -> TenantProcessRecorder:
        if tracking_recorder_class is None:
            return self._process_recorder()
        if not issubclass(tracking_recorder_class, TenantProcessRecorder):
            raise InfrastructureFactoryError(
                f"{tracking_recorder_class!r} is not a TenantProcessRecorder subclass"
            )
        recorder: Any = tracking_recorder_class(
            self.pool, self.tenant_id, originator_id_type=self.originator_id_type
        )
        return cast(TenantProcessRecorder, recorder)

    def close(self) -> None:
        """Nothing to close: the pool is shared and owned by whoever opened it."""


# The library finds one factory class per module when PERSISTENCE_MODULE names the module.
Factory = TenantInfrastructureFactory
