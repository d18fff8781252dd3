"""A hall's event history as a filtered, paginated stream (read-only, for auditors)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from eventsourcing.persistence import StoredEvent

from contracts import EVENT_TYPES
from services.audit.values import event_payload
from services.privacy.codec import CODEC
from services.shared.errors import ValidationError
from services.store.decoding import decode
from services.store.pool import Pool
from services.store.session import TenantSession

__all__ = [
    "HistoryEntry",
    "HistoryFilter",
    "HistoryPage",
    "check_history_request",
    "read_history",
    "topics_for",
]

MAX_PAGE = 500

_SELECT = (
    "SELECT position, originator_id, originator_version, topic, state, recorded_at,"
    " prev_hash, hash FROM events WHERE tenant_id = %s AND position > %s"
)


def topics_for(event_type: str) -> list[str]:
    """The stored topics of a public event type name (or the topic itself, if given one)."""
    topics = sorted({t.topic for t in EVENT_TYPES if t.name == event_type})
    if topics:
        return topics
    if ":" in event_type:
        return [event_type]
    raise ValidationError(f"unknown event type {event_type!r} (e.g. complaints.ComplaintReceived)")


@dataclass(frozen=True)
class HistoryFilter:
    """Which events of the hall's log to list (all given conditions must hold)."""

    aggregate_id: str | None = None
    event_type: str | None = None
    """A public event type (``complaints.ComplaintReceived``) or a stored topic."""
    actor: str | None = None
    """The ``actor`` field of the event (who issued the command)."""
    since: datetime | None = None
    """Recorded at or after (the database's commit clock)."""
    until: datetime | None = None
    """Recorded before."""

    def __post_init__(self) -> None:
        if any(t is not None and t.tzinfo is None for t in (self.since, self.until)):
            # Compared with the commit time, a naive one would be read in the database
            # server's zone: say which.
            raise ValidationError("a time needs its time zone (e.g. 2026-05-01T10:00:00+08:00)")

    def describe(self) -> str:
        """The filter in words, for the access log."""
        parts = [f"{k}={v}" for k, v in vars(self).items() if v is not None]
        return ", ".join(parts) or "all events"

    def sql(self) -> tuple[str, list[Any]]:
        """The ``AND …`` conditions and their parameters."""
        sql, params = "", list[Any]()
        if self.aggregate_id:
            sql += " AND originator_id = %s"
            params.append(self.aggregate_id)
        if self.event_type:
            sql += " AND topic = ANY(%s)"
            params.append(topics_for(self.event_type))
        if self.since is not None:
            sql += " AND recorded_at >= %s"
            params.append(self.since)
        if self.until is not None:
            sql += " AND recorded_at < %s"
            params.append(self.until)
        if self.actor:
            sql += " AND convert_from(state, 'UTF8')::jsonb ->> 'actor' = %s"
            params.append(self.actor)
        return sql, params


@dataclass(frozen=True)
class HistoryEntry:
    """One event of the hall's log, with its place in the hash chain."""

    position: int
    aggregate_id: str
    aggregate_version: int
    event_type: str
    event_version: int | None
    topic: str
    recorded_at: datetime
    occurred_at: str | None
    actor: str | None
    payload: dict[str, Any]
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class HistoryPage:
    """A page of the history; pass :attr:`next_after` as ``after`` for the next one."""

    entries: list[HistoryEntry]
    next_after: int | None
    """``None`` when this is the last page."""


def check_history_request(where: HistoryFilter, first: int) -> None:
    """Refuse a page size outside 1 to :data:`MAX_PAGE` or an unknown event type
    (:class:`ValidationError`); reads nothing."""
    if not 1 <= first <= MAX_PAGE:
        raise ValidationError(f"page size is 1 to {MAX_PAGE}")
    if where.event_type:
        topics_for(where.event_type)


def read_history(
    pool: Pool,
    tenant_id: str,
    where: HistoryFilter,
    *,
    after: int = 0,
    first: int = 100,
    personal: bool = False,
) -> HistoryPage:
    """Events after position ``after`` matching ``where``, at most ``first`` (≤ 500).

    Personal fields show ``[redacted]`` unless ``personal`` (then their plaintext, or
    ``[erased]`` once the subject's key is destroyed; only then are they decrypted).
    """
    check_history_request(where, first)
    session = TenantSession(pool, tenant_id)
    conditions, params = where.sql()
    rows = session.fetch(
        _SELECT + conditions + " ORDER BY position LIMIT %s",
        [tenant_id, max(after, 0), *params, first + 1],
    )
    more = len(rows) > first
    rows = rows[:first]
    stored = [StoredEvent(r[1], r[2], r[3], bytes(r[4])) for r in rows]
    if personal:
        stored = CODEC.open_events(session.fetch, tenant_id, stored)
    entries = []
    for row, event_stored in zip(rows, stored, strict=True):
        event = decode(event_stored)
        name, version, payload = event_payload(event, personal=personal)
        actor = payload.get("actor")
        entries.append(
            HistoryEntry(
                position=int(row[0]),
                aggregate_id=str(row[1]),
                aggregate_version=int(row[2]),
                event_type=name,
                event_version=version,
                topic=str(row[3]),
                recorded_at=row[5],
                occurred_at=payload.get("occurred_at"),
                actor=actor if isinstance(actor, str) else None,
                payload=payload,
                prev_hash=bytes(row[6]).hex(),
                hash=bytes(row[7]).hex(),
            )
        )
    return HistoryPage(entries, entries[-1].position if more and entries else None)
