"""The base of every projection: what it owns, which events it reads, how it applies them.

A read-model author writes one subclass per read model::

    class CatalogProjection(Projection):
        name = "catalog"                      # positions and leases per (projection, hall)
        tables = ("catalog_items",)           # owned tables, created by sql/NNNN_*.sql

        @singledispatchmethod
        def apply(self, event, conn, tenant_id, position): ...   # other events: nothing

        @apply.register
        def _(self, event: ServiceItem.Published, conn, tenant_id, position): ...

The runtime reads and decodes only the events whose types have a handler (:meth:`topics`),
calls :meth:`apply_batch` inside the transaction that records the batch's position, and can
rebuild the owned :attr:`tables` from position 0 next to the live ones (see
:mod:`projections.runtime.rebuild`).
"""

from __future__ import annotations

import re
from functools import singledispatchmethod
from typing import TYPE_CHECKING, Any, ClassVar

import psycopg
from eventsourcing import utils as es_utils
from eventsourcing.utils import get_topic

from services.store.migrate import collect_migrations

if TYPE_CHECKING:
    from projections.runtime.batch import Batch

__all__ = ["NAME_PATTERN", "Projection", "ProjectionDefinitionError", "handled_topics"]

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}\Z")
"""Projection names and table names: lowercase identifiers (they become SQL identifiers)."""


class ProjectionDefinitionError(ValueError):
    """A projection class breaks the rules the runtime relies on."""


class Projection:
    """Turns each hall's events into rows of a read model.

    Rules the runtime relies on (the crash and rebuild tests check them for every projection
    in ``deploy.bootstrap.all_projections``):

    - Handlers write with ``conn`` only, inside the runtime's transaction, and never commit.
    - Rows depend only on the events (use ``event.timestamp``, never ``now()``), so a rebuild
      from position 0 gives the very same rows.
    - Every owned table has a ``tenant_id`` column; no other projection writes to it.
    - Its SQL files name tables unqualified (no ``public.``), so the runtime can replay them in
      a shadow schema; columns compare with ``=`` (``jsonb``, not ``json``).
    """

    name: ClassVar[str]
    """Stable name; the tracking position is kept per (projection, hall)."""
    tables: ClassVar[tuple[str, ...]] = ()
    """The read-model tables this projection owns: rebuilt together and swapped in together."""
    reader_indexes: ClassVar[tuple[str, ...]] = ()
    """Indexes of :attr:`tables` that only readers use (no handler finds rows by them): a
    rebuild drops them from the shadow and builds each once at the end, instead of
    maintaining them row by row. A primary key's or unique constraint's index may be listed
    (the constraint is added back, and checked, at the end). Never list an index a handler's
    lookup or ``ON CONFLICT`` needs."""
    raw_topics: ClassVar[frozenset[str]] = frozenset()
    """Topics whose rows :meth:`apply_batch` reads itself from ``batch.rows()`` (e.g. with a
    ``msgspec`` struct of the few fields it needs) instead of iterating ``batch.events()``:
    a group batch does not decode them ahead for this projection. Rows of these topics it
    still wants as events go through ``batch.decoded(row)``."""
    version: ClassVar[int] = 1
    """The version of the rows this code builds. Bump it (by one) when a change of the
    handlers or of :attr:`tables` means rows built by the old code are wrong, i.e. when the
    read model needs a rebuild after the upgrade: a projection worker then rebuilds it
    online and records the new version with the swap (``projection_versions``,
    :mod:`projections.runtime.versions`). A change that old rows satisfy (a new index, a
    handler of a new event type, a faster fold giving the same rows) keeps it."""
    sql_source: ClassVar[str | None] = None
    """The migration source whose files create :attr:`tables`; default
    ``projections.<package>`` (the package's ``sql/NNNN_*.sql``)."""

    @property
    def consumer(self) -> str:
        """The consumer name of its positions and leases: ``projection:<name>``."""
        return f"projection:{self.name}"

    def topics(self) -> frozenset[str] | None:
        """Topics of the events :meth:`apply_batch` needs, or ``None`` for every event.

        By default, the event classes registered on the ``@singledispatchmethod apply`` (and
        their subclasses); other events are neither read nor decoded.
        """
        return handled_topics(type(self))

    def apply(self, event: Any, conn: psycopg.Connection, tenant_id: str, position: int) -> None:
        """Apply one event; subclasses define it as a ``@singledispatchmethod``."""
        raise NotImplementedError

    def apply_batch(self, conn: psycopg.Connection, batch: Batch) -> None:
        """Apply one batch (positions ``batch.after + 1`` … ``batch.upto`` of one hall).

        The default decodes the batch's events and calls :meth:`apply` for each, in order.
        Override it to work on the whole batch at once, e.g. one ``executemany`` or one
        ``INSERT … SELECT … FROM events WHERE position BETWEEN …`` (then return ``None``
        from :meth:`topics` and do not read ``batch.events()`` unless needed).
        """
        apply = self.apply  # a singledispatchmethod builds its bound method on every access
        for position, event in batch.events():
            apply(event, conn, batch.tenant_id, position)

    def prefetch(self, conn: psycopg.Connection, batch: Batch) -> None:
        """Send the reads :meth:`apply_batch` will need, once the batch's log is read.

        A projection that folds a batch in memory needs the rows earlier batches left: sent
        here (``batch.prefetched = conn.execute(...)``, fetched in :meth:`apply_batch`),
        their answer is in by the time the batch is applied, instead of making the client
        wait for every statement sent before it. Only whole-batch projections use it; by
        default nothing is read ahead. The read may name the records of ``batch.rows()``
        (read already); it must not decode the events (that is done after it is sent).
        """

    def schema_sql(self) -> list[str]:
        """The SQL that creates :attr:`tables` (with grants and row-level security), in order.

        The rebuild runs it with ``search_path`` set to an empty shadow schema; by default it
        is the projection package's migration files.
        """
        source = self.sql_source or f"projections.{type(self).__module__.split('.')[1]}"
        files = [m.sql for m in collect_migrations() if m.source == source]
        if not files:
            raise ProjectionDefinitionError(f"projection {self.name!r}: no SQL files in {source}")
        return files

    def check_definition(self, *, rebuildable: bool = True) -> None:
        """Raise :class:`ProjectionDefinitionError` when the name or the tables are unusable
        (no tables at all only matters when ``rebuildable`` is asked for)."""
        if not NAME_PATTERN.match(getattr(self, "name", "")):
            raise ProjectionDefinitionError(f"{type(self).__name__}: bad or missing name")
        version = getattr(self, "version", None)
        if type(version) is not int or version < 1:
            raise ProjectionDefinitionError(
                f"projection {self.name!r}: version must be a whole number of at least 1,"
                f" not {version!r}"
            )
        if rebuildable and not self.tables:
            raise ProjectionDefinitionError(f"projection {self.name!r} declares no tables")
        for table in self.tables:
            if not NAME_PATTERN.match(table):
                raise ProjectionDefinitionError(f"projection {self.name!r}: bad table {table!r}")


def _dispatcher_registry(cls: type) -> dict[Any, Any] | None:
    for klass in cls.__mro__:
        attr = klass.__dict__.get("apply")
        if isinstance(attr, singledispatchmethod):
            return dict(attr.dispatcher.registry)
        if attr is not None:
            return None  # a plain ``apply``: it may want any event
    return None


def _with_subclasses(classes: set[type]) -> set[type]:
    found: set[type] = set()
    todo = list(classes)
    while todo:
        cls = todo.pop()
        if cls not in found:
            found.add(cls)
            todo.extend(cls.__subclasses__())
    return found


def handled_topics(cls: type[Projection]) -> frozenset[str] | None:
    """Topics of the event classes ``cls.apply`` dispatches on (``None``: not a dispatcher).

    Includes subclasses of the registered classes and topics registered as aliases of them
    (``eventsourcing.utils.register_topic``), so renamed classes keep their history.
    """
    registry = _dispatcher_registry(cls)
    if registry is None:
        return None
    classes = _with_subclasses({k for k in registry if isinstance(k, type) and k is not object})
    topics = {get_topic(c) for c in classes}
    aliases: dict[str, Any] = getattr(es_utils, "_topic_cache", {})
    topics |= {topic for topic, obj in list(aliases.items()) if obj in classes}
    return frozenset(topics)
