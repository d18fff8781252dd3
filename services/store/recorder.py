"""Recorders bound to one hall (tenant) that implement the ``eventsourcing`` interfaces.

:class:`TenantProcessRecorder` is the hall's application, tracking and process recorder: its
notification ids are the hall's gapless positions. :class:`TenantSnapshotRecorder` is the
aggregate recorder of the hall's snapshots. Every call runs in its own transaction that first
sets ``yanshen.tenant_id``, so row-level security confines it to the hall whatever the SQL says.

Personal fields are sealed on the way in and opened on the way out by
:func:`services.store.personal.personal_data` (crypto-shredding, ADR 0002).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Literal
from uuid import UUID

from eventsourcing.persistence import (
    AggregateRecorder,
    IntegrityError,
    InterfaceError,
    Notification,
    OperationalError,
    ProcessRecorder,
    StoredEvent,
    Subscription,
    Tracking,
)
from eventsourcing.utils import retry

from services.store import read_ahead as ahead
from services.store import request_key
from services.store import statements as q
from services.store.personal import personal_data
from services.store.pool import Pool
from services.store.session import TenantSession
from services.store.subscription import TenantSubscription
from services.store.tenant import validate_tenant_id
from services.store.text import refuse_nul_characters

__all__ = ["OriginatorIdType", "TenantProcessRecorder", "TenantSnapshotRecorder"]

OriginatorIdType = Literal["uuid", "text"]

_retry_reads = retry((InterfaceError, OperationalError), max_attempts=5, wait=0.2)


class _TenantRecorder:
    """Shared parts: the pool, the hall, and originator id conversion."""

    def __init__(
        self, pool: Pool, tenant_id: str, *, originator_id_type: OriginatorIdType = "uuid"
    ) -> None:
        self.pool = pool
        """The one pool all halls share (never a pool per hall)."""
        self.tenant_id = validate_tenant_id(tenant_id)
        """The hall (政务服务大厅) this recorder is bound to."""
        self.originator_id_type: OriginatorIdType = originator_id_type
        """``uuid``: ids that parse as UUIDs are returned as :class:`UUID` (library default)."""
        self.session = TenantSession(pool, self.tenant_id)

    def _out_id(self, value: str) -> UUID | str:
        if self.originator_id_type == "uuid":
            try:
                return UUID(value)
            except ValueError:
                return value
        return value

    def _arrays(self, stored_events: Sequence[StoredEvent]) -> dict[str, Any]:
        return {
            "tenant": self.tenant_id,
            "ids": [str(e.originator_id) for e in stored_events],
            "versions": [e.originator_version for e in stored_events],
            "topics": [e.topic for e in stored_events],
            "states": [bytes(e.state) for e in stored_events],
        }

    def _select(
        self,
        table: str,
        originator_id: UUID | str,
        *,
        gt: int | None,
        lte: int | None,
        desc: bool,
        limit: int | None,
    ) -> list[StoredEvent]:
        sql = (q.SELECT_EVENTS if table == "events" else q.SELECT_SNAPSHOTS).format(table=table)
        params: list[Any] = [self.tenant_id, str(originator_id)]
        if gt is not None:
            sql += " AND originator_version > %s"
            params.append(gt)
        if lte is not None:
            sql += " AND originator_version <= %s"
            params.append(lte)
        sql += " ORDER BY originator_version DESC" if desc else " ORDER BY originator_version"
        if limit is not None:
            sql += " LIMIT %s"
            params.append(limit)
        found = [
            StoredEvent(self._out_id(r[0]), r[1], r[2], bytes(r[3]))
            for r in self.session.fetch(sql, params)
        ]
        if table == "events":
            return personal_data().open_events(self.session.fetch, self.tenant_id, found)
        return personal_data().open_snapshots(self.session.fetch, self.tenant_id, found)


class TenantSnapshotRecorder(_TenantRecorder, AggregateRecorder):
    """Aggregate recorder of one hall's snapshots (table ``snapshots``)."""

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        if stored_events:
            stored_events = personal_data().seal_snapshots(
                self.session.fetch, self.tenant_id, stored_events
            )
            self.session.fetch(q.INSERT_SNAPSHOTS, self._arrays(stored_events), rows=False)

    @_retry_reads
    def select_events(
        self,
        originator_id: UUID | str,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> list[StoredEvent]:
        return self._select("snapshots", originator_id, gt=gt, lte=lte, desc=desc, limit=limit)


class TenantProcessRecorder(_TenantRecorder, ProcessRecorder):
    """Application + tracking + process recorder of one hall; notification id = position."""

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """Append events (and the optional ``tracking``) atomically; return their positions.

        Raises the library's :class:`IntegrityError` when an (originator, version) exists
        already or the tracking position does not move forward; nothing is then recorded.
        ``existing_log=True`` (passed through ``Application.save(..., existing_log=True)``):
        append only to a hall that has a log, else
        :class:`~services.store.tenant.UnknownTenantError` and nothing is recorded; for
        records that must not bring a hall into being (audit reads). An event with the NUL
        character in its text: :class:`~services.store.text.NulCharacterError` (no read
        model could hold it), nothing recorded. Inside
        :func:`~services.store.request_key.applying`, the append also records the request's
        key, in its transaction.
        """
        tracking: Tracking | None = kwargs.get("tracking")
        existing_log = bool(kwargs.get("existing_log", False))
        ahead.forget(self.tenant_id, {str(e.originator_id) for e in stored_events})
        refuse_nul_characters(bytes(e.state) for e in stored_events)  # before any is sealed
        stored_events = personal_data().seal_events(
            self.session.fetch, self.tenant_id, stored_events
        )
        if not stored_events:
            if tracking is not None:
                self.insert_tracking(tracking)
            return []
        positions = self.session.append(
            [str(e.originator_id) for e in stored_events],
            [e.originator_version for e in stored_events],
            [e.topic for e in stored_events],
            [bytes(e.state) for e in stored_events],
            None if tracking is None else (tracking.application_name, tracking.notification_id),
            existing_log=existing_log,
            request_key=request_key.current(),
        )
        if len(positions) != len(stored_events):  # pragma: no cover - a broken head row
            raise IntegrityError(f"could not append to hall {self.tenant_id!r}")
        return positions

    @_retry_reads
    def select_events(
        self,
        originator_id: UUID | str,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> list[StoredEvent]:
        if lte is None and not desc and limit is None:
            kept = ahead.take(self.tenant_id, str(originator_id), gt)
            if kept is not None:
                return kept
        return self._select("events", originator_id, gt=gt, lte=lte, desc=desc, limit=limit)

    @contextmanager
    def read_ahead(self, after_versions: Mapping[str, int]) -> Iterator[None]:
        """Read the events of several aggregates (id → after which version) in one query,
        for :meth:`select_events` to answer from in the block (see
        :mod:`services.store.read_ahead`)."""
        with ahead.reading():
            if after_versions:
                for originator_id, events in self._select_many(after_versions).items():
                    ahead.keep(self.tenant_id, originator_id, after_versions[originator_id], events)
            yield

    @_retry_reads
    def _select_many(self, after_versions: Mapping[str, int]) -> dict[str, list[StoredEvent]]:
        ids = list(after_versions)
        rows = self.session.fetch(
            q.SELECT_EVENTS_OF_MANY, (ids, [after_versions[i] for i in ids], self.tenant_id)
        )
        found = [StoredEvent(self._out_id(r[0]), r[1], r[2], bytes(r[3])) for r in rows]
        events: dict[str, list[StoredEvent]] = {i: [] for i in ids}
        for event in personal_data().open_events(self.session.fetch, self.tenant_id, found):
            events[str(event.originator_id)].append(event)
        return events

    @_retry_reads
    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> list[Notification]:
        sql = (
            "SELECT position, originator_id, originator_version, topic, state FROM events "
            "WHERE tenant_id = %s"
        )
        params: list[Any] = [self.tenant_id]
        if start is not None:
            sql += " AND position >= %s" if inclusive_of_start else " AND position > %s"
            params.append(start)
        if stop is not None:
            sql += " AND position <= %s"
            params.append(stop)
        if topics:
            sql += " AND topic = ANY(%s)"
            params.append(list(topics))
        sql += " ORDER BY position LIMIT %s"
        params.append(limit)
        found = [
            Notification(
                id=r[0],
                originator_id=self._out_id(r[1]),
                originator_version=r[2],
                topic=r[3],
                state=bytes(r[4]),
            )
            for r in self.session.fetch(sql, params)
        ]
        return personal_data().open_events(self.session.fetch, self.tenant_id, found)

    @_retry_reads
    def max_notification_id(self) -> int | None:
        rows = self.session.fetch(q.MAX_NOTIFICATION_ID, [self.tenant_id])
        position = int(rows[0][0]) if rows else 0
        return position or None

    def subscribe(
        self, gt: int | None = None, topics: Sequence[str] = ()
    ) -> Subscription[TenantProcessRecorder]:
        return TenantSubscription(self, gt=gt, topics=topics)

    def _tracking_params(self, tracking: Tracking) -> dict[str, Any]:
        return {
            "tenant": self.tenant_id,
            "name": tracking.application_name,
            "id": tracking.notification_id,
        }

    def insert_tracking(self, tracking: Tracking) -> None:
        self.session.fetch(q.INSERT_TRACKING, self._tracking_params(tracking), rows=False)

    @_retry_reads
    def max_tracking_id(self, application_name: str) -> int | None:
        rows = self.session.fetch(q.MAX_TRACKING_ID, [self.tenant_id, application_name])
        return int(rows[0][0]) if rows else None
