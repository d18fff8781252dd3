"""The base of every hall-bound application service (one instance per hall and context)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime
from typing import Any, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from services.shared.errors import ConflictError
from services.shared.working_days import CalendarSource, WorkingDayCalendar

__all__ = ["HallApplication"]


class HallApplication(Application[UUID]):
    """An application bound to one hall; all its events go to that hall's log.

    The composition root sets :attr:`hall_id` when it creates the application for a
    hall (see ``services.store.EventStore.application``).
    """

    hall_id: str = ""
    """The hall (tenant) whose log this application reads and writes."""
    clock: Callable[[], datetime] = staticmethod(lambda: datetime.now(UTC))
    """Now, as an aware datetime: replaced in tests to make deadlines exact."""
    calendars: CalendarSource = CalendarSource()
    """Where :attr:`calendar` comes from: the composition root gives every hall application
    the platform's recorded schedules (``services.holidays.RecordedCalendars``); this
    default knows the libraries only."""

    @property
    def calendar(self) -> WorkingDayCalendar:
        """Working days (holidays, 调休) for a time limit computed now: read on each use,
        so a schedule an operator just recorded applies from the next command on."""
        return self.calendars.current()

    def reading_ahead(self, *aggregate_ids: UUID) -> AbstractContextManager[None]:
        """Load these aggregates' events in one round trip: the block's ``get`` of each is
        answered from that read, once (a command reading several small aggregates; not for
        snapshotted ones, whose whole log this would read). A cached aggregate is read from
        its cached version on. Without a recorder that reads ahead, reads as usual."""
        read_ahead = getattr(self.recorder, "read_ahead", None)
        if read_ahead is None or not aggregate_ids:
            return nullcontext()
        return cast(
            AbstractContextManager[None],
            read_ahead({str(i): self._cached_version(i) for i in aggregate_ids}),
        )

    def _cached_version(self, aggregate_id: UUID) -> int:
        cache = self.repository.cache
        if cache is not None:
            try:
                return int(cache.get(aggregate_id).version)
            except KeyError:
                pass
        return 0

    def get_or_none(self, aggregate_id: UUID) -> Any | None:
        try:
            return self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None

    def save_or_conflict(self, *aggregates: Aggregate, conflict: ConflictError) -> int:
        """Save atomically; a concurrent write to the same aggregate raises ``conflict``.

        Returns the hall-log position of the last recorded event (0 if none).
        """
        try:
            recordings = self.save(*aggregates)
        except IntegrityError:
            raise conflict from None
        return max((r.notification.id for r in recordings), default=0)
