"""Per-request dataloaders: the related records of a whole list in one query per batch.

A batch query is a plain function over a read model::

    def halls_by_id(pool: Pool, hall: str, keys: Sequence[str]) -> Mapping[str, HallRow]: ...

and a resolver asks for one key; every ``load`` of the same function and hall made while a
list resolves is batched into one call of the function (run off the event loop), and
repeated keys are answered from the request's cache::

    row = await load(info, halls_by_id, hall, hall)

Keys the function leaves out of its mapping load as ``None`` (absent, or another hall's).
Fields only platform operators read may batch across halls instead: ``load_across_halls``
with a function of ``(worker pool, keys)``, e.g. one lag query for a whole page of halls.
An HTTP request starts with no loaders; a WebSocket connection keeps one context for all its
operations, so :class:`FreshLoaders` empties its loaders after every streamed result (a
subscription's next event reads the read model again, not the request's cache).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from strawberry.dataloader import DataLoader
from strawberry.extensions import SchemaExtension

from gateway.context import run_sync
from services.store.pool import Pool

if TYPE_CHECKING:
    from gateway.context import Info

__all__ = [
    "AcrossHalls",
    "BatchQuery",
    "FreshLoaders",
    "load",
    "load_across_halls",
    "load_many",
    "loader",
]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

BatchQuery = Callable[[Pool, str, Sequence[K]], Mapping[K, V]]
"""``(app pool, hall, keys) -> {key: record}``: one query for many keys of one hall."""

AcrossHalls = Callable[[Pool, Sequence[K]], Mapping[K, V]]
"""``(worker pool, keys) -> {key: record}``: one query over every hall (operators' fields)."""


def _cached(
    info: Info, name: Hashable, fetch: Callable[[list[K]], Mapping[K, V]]
) -> DataLoader[K, V | None]:
    """The request's loader called ``name`` (created on first use)."""
    loaders: dict[Any, Any] = info.context.loaders
    found = loaders.get(name)
    if found is None:

        async def batch(keys: list[K]) -> list[V | None]:
            rows = await run_sync(fetch, keys)
            return [rows.get(k) for k in keys]

        found = loaders[name] = DataLoader(load_fn=batch)
    return found


def loader(info: Info, query: BatchQuery[K, V], hall: str) -> DataLoader[K, V | None]:
    """The request's loader of ``query`` in ``hall`` (created on first use)."""
    pool = info.context.platform.app_pool
    return _cached(info, (query, hall), lambda keys: query(pool, hall, keys))


async def load(info: Info, query: BatchQuery[K, V], hall: str, key: K) -> V | None:
    """One record by key, batched with the other loads of this request."""
    return await loader(info, query, hall).load(key)


async def load_many(
    info: Info, query: BatchQuery[K, V], hall: str, keys: Sequence[K]
) -> list[V | None]:
    """Several records by key, in the order of ``keys``."""
    return await loader(info, query, hall).load_many(keys)


async def load_across_halls(info: Info, query: AcrossHalls[K, V], key: K) -> V | None:
    """One record by key from a query over every hall, batched like :func:`load`.

    The query gets the worker pool, which sees every hall: only for fields that platform
    operators alone may read (the field's ``@allow`` checks that before it resolves).
    """
    pool = info.context.platform.worker_pool
    return await _cached(info, query, lambda keys: query(pool, keys)).load(key)


class FreshLoaders(SchemaExtension):
    """Empties the context's loaders after each streamed result (subscriptions)."""

    def on_stream_result(self, result: Any) -> Iterator[None]:
        yield
        loaders = getattr(self.execution_context.context, "loaders", None)
        if loaders:
            loaders.clear()
