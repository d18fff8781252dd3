"""Reading several aggregates of a hall in one round trip (one snapshot of the log).

A command typically loads a handful of small aggregates one after another (the hall, a
window, a staff member, the window's day…), each read a round trip of its own.
:meth:`TenantProcessRecorder.read_ahead` fetches the events of all of them at once and keeps
them here, for the rest of a ``with`` block in the current thread (or task); the
application's repository then asks the recorder for each aggregate as usual and gets the
kept events instead of a new query. Nothing else changes: optimistic concurrency still
decides at the save, and what was read ahead is one consistent snapshot of the log, which is
no weaker than reads made a moment apart.

A kept read is used once (a retry of the command reads again), only for the exact question
it answers (the events after the version it was read after, not a range or a reversed
read), and dropped for an aggregate the block saves. When an aggregate is asked after a
version the read did not see (its cached copy moved on meanwhile), every read kept in the
block is dropped: reads in a block never go back in time.

>>> with reading():
...     keep("hall-a", "id-1", 0, [])
...     take("hall-a", "id-1", None), take("hall-a", "id-1", None)
([], None)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from eventsourcing.persistence import StoredEvent

__all__ = ["forget", "keep", "reading", "take"]


@dataclass(frozen=True)
class _Read:
    after: int
    """The events kept are those after this version (0: all)."""
    events: list[StoredEvent]


_kept: ContextVar[dict[tuple[str, str], _Read] | None] = ContextVar(
    "yanshen_read_ahead", default=None
)
"""Reads kept in the current block: (hall, originator id) → the events after a version."""


@contextmanager
def reading() -> Iterator[None]:
    """Keep reads for the block (a nested block adds to the outer one's)."""
    if _kept.get() is not None:
        yield
        return
    token = _kept.set({})
    try:
        yield
    finally:
        _kept.reset(token)


def keep(tenant_id: str, originator_id: str, after: int, events: list[StoredEvent]) -> None:
    """Keep the events of ``originator_id`` after version ``after`` (outside a block: not)."""
    kept = _kept.get()
    if kept is not None:
        kept[(tenant_id, originator_id)] = _Read(after, events)


def take(tenant_id: str, originator_id: str, gt: int | None) -> list[StoredEvent] | None:
    """The kept events of ``originator_id`` after version ``gt`` (used up), or ``None`` when
    the read ahead does not answer that: nothing kept, or ``gt`` outside the versions it
    read (from the version it read after to the last it found).

    ``gt`` outside them means the aggregate is not as the read ahead saw it: cached copy
    moved on past it by another request of the process, or evicted and read from its
    start or a snapshot. What the block reads of it now is newer than the read ahead, so
    nothing kept is served any more in the block: a later read must not be older than an
    earlier one (a call reads the window's day before the window, see
    ``services.queue.windows``; a state mixing both sides of one atomic save would follow).
    """
    kept = _kept.get()
    if not kept:
        return None
    read = kept.pop((tenant_id, originator_id), None)
    if read is None:
        return None
    last = read.events[-1].originator_version if read.events else read.after
    if not read.after <= (gt or 0) <= last:
        kept.clear()
        return None
    return [e for e in read.events if gt is None or e.originator_version > gt]


def forget(tenant_id: str, originator_ids: Iterable[str]) -> None:
    """Drop what was kept of aggregates being saved: a read after the save must see it."""
    kept = _kept.get()
    if kept:
        for originator_id in originator_ids:
            kept.pop((tenant_id, originator_id), None)
