"""What the deadline scheduler runs: deadline sources, each a query and a command.

A context's engineers register one :class:`DeadlineSource` per kind of record with
deadlines: ``find_due`` is a query over a read model (never over aggregates) returning the
records whose due date has passed and whose miss is not recorded yet; ``mark_overdue`` is the
owning application's command that records the ``…Overdue`` event. The command re-checks the
aggregate itself (the read model may lag behind), so calling it for a record that is no
longer overdue records nothing and returns ``False``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol, TypeVar
from uuid import UUID

import psycopg

from services.shared.application import HallApplication

__all__ = ["DeadlineRegistry", "DeadlineSource", "DueRecord", "HallApps"]

A = TypeVar("A", bound=HallApplication)


class HallApps(Protocol):
    """``hall_apps(AppClass, hall_id)``: the hall's application (``Platform.hall_app``)."""

    def __call__(self, app_cls: type[A], hall_id: str, /) -> A: ...


@dataclass(frozen=True)
class DueRecord:
    """A record whose deadline has passed, as a read model lists it."""

    hall_id: str
    record_id: UUID
    due_on: date
    deadline: str = ""
    """Which of the record's deadlines (e.g. ``VERIFICATION``); empty when it has one."""


@dataclass(frozen=True)
class DeadlineSource:
    """One kind of record with deadlines, registered by its context."""

    name: str
    """Stable name, e.g. ``rectifications`` (logs and metrics)."""
    find_due: Callable[[psycopg.Connection[Any], datetime], Iterable[DueRecord]]
    """``find_due(conn, now)``: records past their due date at ``now`` and not recorded as
    overdue yet; ``conn`` is a worker connection (sees every hall)."""
    mark_overdue: Callable[[HallApps, DueRecord, datetime], bool]
    """``mark_overdue(hall_apps, record, now)``: the owning application's command; ``True``
    when it recorded an ``…Overdue`` event, ``False`` when nothing was overdue (any more)."""


class DeadlineRegistry:
    """The deadline sources the scheduler runs, in registration order.

    >>> registry = DeadlineRegistry()
    >>> registry.register(DeadlineSource("x", lambda conn, now: [], lambda a, r, n: False))
    >>> [s.name for s in registry]
    ['x']
    """

    def __init__(self, sources: Iterable[DeadlineSource] = ()) -> None:
        self._sources: dict[str, DeadlineSource] = {}
        for source in sources:
            self.register(source)

    def register(self, source: DeadlineSource) -> None:
        """Add ``source``; a second source with the same name is refused."""
        if source.name in self._sources:
            raise ValueError(f"deadline source {source.name!r} is registered already")
        self._sources[source.name] = source

    def __iter__(self) -> Iterator[DeadlineSource]:
        return iter(list(self._sources.values()))

    def __len__(self) -> int:
        return len(self._sources)
