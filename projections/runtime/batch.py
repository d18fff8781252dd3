"""One batch of a hall's log for one projection: a range of positions, events read lazily.

The runtime fixes the range (``after`` < position ≤ ``upto``) before the projection sees it;
the rows are read on the projection's connection, inside its transaction, only when asked
for, and only those of the projection's topics; sealed personal fields are opened like the
recorders open them (``services.store.personal``). Decoding happens per event, on iteration.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache, partial
from typing import Any, NamedTuple, cast

import psycopg
from eventsourcing.domain import DomainEvent

from projections.runtime.decoding import decode_row
from services.store.personal import open_rows
from services.store.statements import topics_array

__all__ = ["Batch", "EventRow", "decode_row", "read_rows"]

_SELECT = (
    "SELECT position, originator_id, originator_version, topic, state"
    " FROM events WHERE tenant_id = %s AND position > %s AND position <= %s"
)


@lru_cache(maxsize=64)  # one per set of projections batched together
def _select_sql(topics: frozenset[str] | None) -> str:
    """The log read of a batch, its topics written into the statement as a constant array
    (hashed by the server: for a group of read models about 90 topics per row, half the
    server's time of the read of a bound array)."""
    if topics is None:
        return f"{_SELECT} ORDER BY position"
    return f"{_SELECT} AND topic = ANY({topics_array(sorted(topics))}) ORDER BY position"


class EventRow(NamedTuple):
    """A stored event of the hall's log, as read for a batch."""

    position: int
    originator_id: str
    originator_version: int
    topic: str
    state: bytes


_event_row = partial(tuple.__new__, EventRow)
"""``EventRow`` of a fetched row tuple (``EventRow(*row)`` runs a Python-level ``__new__``)."""


@dataclass
class Batch:
    """Positions ``after + 1`` … ``upto`` of hall ``tenant_id``, for one projection."""

    conn: psycopg.Connection[Any]
    """The projection's connection, in the transaction that records ``upto``."""
    tenant_id: str
    after: int
    """The projection's position in the hall before this batch."""
    upto: int
    """The last position of the batch: the projection's position once it commits."""
    topics: frozenset[str] | None = None
    """Only events of these topics are read (``None``: every event)."""
    source: Callable[[], list[EventRow]] | None = field(default=None, repr=False)
    """Rows read once for several projections' batches (a superset of this batch's rows);
    ``None``: this batch reads its own."""
    prefetched: Any = field(default=None, repr=False)
    """What the projection's ``prefetch`` sent for this batch (e.g. a cursor), if anything."""
    _rows: list[EventRow] | None = field(default=None, repr=False)
    _memos: dict[str, dict[int, Any]] = field(default_factory=dict, repr=False)

    @property
    def size(self) -> int:
        """How many positions the batch covers (events of other topics included)."""
        return self.upto - self.after

    def rows(self) -> list[EventRow]:
        """The batch's stored events of :attr:`topics`, in position order (read once)."""
        if self._rows is None:
            self._rows = self._read()
        return self._rows

    def events(self) -> Iterator[tuple[int, DomainEvent]]:
        """``(position, domain event)`` of each row, decoded one at a time (once per group
        batch: projections sharing a batch share the decoded, immutable events)."""
        shared = getattr(self.source, "decoded", None)
        if shared is not None:
            yield from shared(self.rows())
            return
        for row in self.rows():
            yield row.position, decode_row(row)

    def decoded(self, row: EventRow) -> DomainEvent:
        """The domain event of ``row`` (one of :meth:`rows`), decoded once per group batch."""
        shared = getattr(self.source, "decoded", None)
        if shared is not None:
            for _, event in shared([row]):
                return cast(DomainEvent, event)
        return decode_row(row)

    def memo(self, name: str) -> dict[int, Any]:
        """The dict kept under ``name`` for what projections derive from this batch's rows
        (position → value): one per group batch, shared by its projections, so that what one
        of them read from a row the others take as it is (the batch's own without a group)."""
        shared = getattr(self.source, "memo", None)
        if shared is not None:
            return cast("dict[int, Any]", shared(name))
        return self._memos.setdefault(name, {})

    def _read(self) -> list[EventRow]:
        if self.topics is not None and not self.topics:
            return []
        if self.source is not None:
            part = getattr(self.source, "part", None)
            if part is not None:
                return cast("list[EventRow]", part(self.topics, self.after, self.upto))
            topics, after, upto = self.topics, self.after, self.upto
            if topics is None:
                return [r for r in self.source() if after < r.position <= upto]
            return [r for r in self.source() if after < r.position <= upto and r.topic in topics]
        return read_rows(self.conn, self.tenant_id, self.after, self.upto, self.topics)


def read_rows(
    conn: psycopg.Connection[Any],
    tenant_id: str,
    after: int,
    upto: int,
    topics: frozenset[str] | None,
) -> list[EventRow]:
    """Stored events of ``tenant_id`` in ``after`` < position ≤ ``upto`` of ``topics`` (all
    when ``None``), personal fields opened, in position order."""
    if topics is not None and not topics:
        return []
    with conn.cursor(binary=True) as cursor:
        cursor.execute(_select_sql(topics), [tenant_id, after, upto], prepare=True)
        rows = list(map(_event_row, cursor.fetchall()))
    # Personal fields are sealed per data subject in the log; open them (or mark them
    # erased) the way the recorders do for applications.
    return open_rows(conn, tenant_id, rows)
