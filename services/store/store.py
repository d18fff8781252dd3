"""The event store of every hall: applications and recorders per tenant on one shared pool."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, TypeVar

from eventsourcing.application import Application

from services.store.consumers import pending_tenants
from services.store.factory import factory_env, register_pool
from services.store.pool import Pool
from services.store.recorder import TenantProcessRecorder
from services.store.tenant import validate_tenant_id

__all__ = ["EventStore"]

A = TypeVar("A", bound=Application[Any])


class EventStore:
    """Per-hall applications and recorders, created on demand and cached, sharing ``pool``.

    Give it a pool with role ``app`` for the command side (row-level security confines each
    hall's application to its hall), or ``worker`` for platform-wide consumers (which also
    need :meth:`pending_tenants`).
    """

    def __init__(self, pool: Pool, *, max_cached: int = 4096) -> None:
        self.pool = pool
        self._pool_key = register_pool(pool)
        # Least recently used first: a platform with many halls keeps only the busy ones.
        self._apps: OrderedDict[tuple[type[Any], str], Any] = OrderedDict()
        self._recorders: OrderedDict[str, TenantProcessRecorder] = OrderedDict()
        self.max_cached = max_cached
        """How many applications (and, separately, recorders) stay cached."""
        self._lock = threading.Lock()

    def application(self, app_cls: type[A], tenant_id: str) -> A:
        """The hall's instance of ``app_cls`` (cached per class and hall).

        The application is constructed by the library as usual (its ``name`` is the class's
        name, ``env`` and ``os.environ`` apply), with the tenant infrastructure factory
        selected through its environment: no ``PERSISTENCE_MODULE`` needs to be set.
        """
        validate_tenant_id(tenant_id)
        key = (app_cls, tenant_id)
        with self._lock:
            app = self._apps.get(key)
            if app is None:
                app = app_cls(env=factory_env(self._pool_key, tenant_id))
                self._apps[key] = app
                _trim(self._apps, self.max_cached)
            else:
                self._apps.move_to_end(key)
        return app

    def recorder(self, tenant_id: str) -> TenantProcessRecorder:
        """The hall's application, tracking and process recorder (positions = notification ids)."""
        validate_tenant_id(tenant_id)
        with self._lock:
            recorder = self._recorders.get(tenant_id)
            if recorder is None:
                recorder = TenantProcessRecorder(self.pool, tenant_id)
                self._recorders[tenant_id] = recorder
                _trim(self._recorders, self.max_cached)
            else:
                self._recorders.move_to_end(tenant_id)
        return recorder

    def pending_tenants(self, consumer: str) -> list[tuple[str, int]]:
        """Halls whose head moved past ``consumer``'s recorded position: ``(tenant, head)``.

        Compares the small ``tenant_heads`` table with ``consumer_positions``; no events are
        scanned. Needs a ``worker`` (or ``admin``) pool: the ``app`` role sees no hall here.
        """
        return pending_tenants(self.pool, consumer)


def _trim(cache: OrderedDict[Any, Any], size: int) -> None:
    """Drop the least recently used entries beyond ``size`` (their users keep their objects)."""
    while len(cache) > size:
        cache.popitem(last=False)
