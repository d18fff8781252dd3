"""Per-request dataloaders: the related records of a whole list in one query per batch.

A batch query is a plain function over a read model::

    def halls_by_id(pool: Pool, hall: str, keys: Sequence[str]) -> Mapping[str, HallRow]: ...

and a resolver asks for one key; every ``load`` of the same function and hall made while a
list resolves is batched into one call of the function (run off the event loop), and
repeated keys are answered from the request's cache::

    row = await load(info, halls_by_id, hall, hall)

Keys the function leaves out of its mapping load as ``None`` (absent, or another hall's).
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

__all__ = ["BatchQuery", "FreshLoaders", "load", "load_many", "loader"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

BatchQuery = Callable[[Pool, str, Sequence[K]], Mapping[K, V]]
"""``(app pool, hall, keys) -> {key: record}``: one query for many keys of one hall."""


def loader(info: Info, query: BatchQuery[K, V], hall: str) -> DataLoader[K, V | None]:
    """The request's loader of ``query`` in ``hall`` (created on first use)."""
    loaders: dict[Any, Any] = info.context.loaders
    name = (query, hall)
    found = loaders.get(name)
    if found is None:
        pool = info.context.platform.app_pool

        async def batch(keys: list[K]) -> list[V | None]:
            rows = await run_sync(query, pool, hall, keys)
            return [rows.get(k) for k in keys]

        found = loaders[name] = DataLoader(load_fn=batch)
    return found


async def load(info: Info, query: BatchQuery[K, V], hall: str, key: K) -> V | None:
    """One record by key, batched with the other loads of this request."""
    return await loader(info, query, hall).load(key)


async def load_many(
    info: Info, query: BatchQuery[K, V], hall: str, keys: Sequence[K]
) -> list[V | None]:
    """Several records by key, in the order of ``keys``."""
    return await loader(info, query, hall).load_many(keys)


class FreshLoaders(SchemaExtension):
    """Empties the context's loaders after each streamed result (subscriptions)."""

    def on_stream_result(self, result: Any) -> Iterator[None]:
        yield
        loaders = getattr(self.execution_context.context, "loaders", None)
        if loaders:
            loaders.clear()
