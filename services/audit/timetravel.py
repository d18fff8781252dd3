"""Time travel: a record's state as of a position or a time, and the changes between two.

A point in the hall's history (a position of its log, or a time of the database's commit
clock) maps to the record's last version at or before it, and that version is rebuilt by
folding the record's events from its first one, never from a snapshot: snapshots are a cache
outside the hash chain (and the application role can insert them), so a forged one would
change what an auditor sees while ``yanshen verify`` still finds the chain intact. A diff
folds the events once, up to the later of its two versions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, CanMutateProtocol
from eventsourcing.utils import get_topic

from services.audit.application import AuditLog
from services.audit.errors import RecordNotFoundError, UnreadableRecordError
from services.audit.values import aggregate_state
from services.shared.errors import DomainError, ValidationError
from services.store.recorder import TenantProcessRecorder

__all__ = [
    "FieldChange",
    "Point",
    "RecordDiff",
    "RecordState",
    "diff_states",
    "record_diff",
    "state_as_of",
]

_AT_POSITION = (
    "SELECT originator_version, position, recorded_at FROM events"
    " WHERE tenant_id = %s AND originator_id = %s AND position <= %s"
    " ORDER BY originator_version DESC LIMIT 1"
)
_AT_TIME = (
    "SELECT originator_version, position, recorded_at FROM events"
    " WHERE tenant_id = %s AND originator_id = %s AND recorded_at <= %s"
    " ORDER BY originator_version DESC LIMIT 1"
)


@dataclass(frozen=True)
class Point:
    """A point in a hall's history: a position of its log, or a time (exactly one)."""

    position: int | None = None
    at: datetime | None = None

    def __post_init__(self) -> None:
        if (self.position is None) == (self.at is None):
            raise ValidationError("give either a position or a time, not both")
        if self.position is not None and self.position < 0:
            raise ValidationError("a position is 0 or more")
        if self.at is not None and self.at.tzinfo is None:
            raise ValidationError("a time needs its time zone (e.g. 2026-05-01T10:00:00+08:00)")

    def __str__(self) -> str:
        return f"position {self.position}" if self.at is None else f"time {self.at.isoformat()}"


@dataclass(frozen=True)
class RecordState:
    """A record (aggregate) as it was at a point."""

    aggregate_id: str
    record_type: str
    """The aggregate's class topic, e.g. ``services.staff.domain:StaffMember``."""
    version: int
    position: int
    """Position of the event that made this version."""
    recorded_at: datetime
    state: dict[str, Any]


@dataclass(frozen=True)
class FieldChange:
    """One field that differs between two states (dotted path for nested fields)."""

    field: str
    before: Any
    after: Any
    kind: str
    """``ADDED``, ``REMOVED`` or ``CHANGED``."""


@dataclass(frozen=True)
class RecordDiff:
    """How a record changed from one point to another."""

    before: RecordState | None
    """``None`` when the record did not exist yet at the first point."""
    after: RecordState
    changes: list[FieldChange]


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            flat.update(_flatten(value, path + "."))
        else:
            flat[path] = value
    return flat


def diff_states(before: dict[str, Any], after: dict[str, Any]) -> list[FieldChange]:
    """Field-level changes from ``before`` to ``after``, in field order.

    >>> [(c.field, c.kind) for c in diff_states({"a": 1, "b": {"c": 2}}, {"b": {"c": 3}})]
    [('a', 'REMOVED'), ('b.c', 'CHANGED')]
    """
    old, new = _flatten(before), _flatten(after)
    changes = []
    for field in [*old, *(f for f in new if f not in old)]:
        if field not in new:
            changes.append(FieldChange(field, old[field], None, "REMOVED"))
        elif field not in old:
            changes.append(FieldChange(field, None, new[field], "ADDED"))
        elif old[field] != new[field]:
            changes.append(FieldChange(field, old[field], new[field], "CHANGED"))
    return changes


def _parse_id(aggregate_id: str) -> UUID:
    try:
        return UUID(aggregate_id)
    except ValueError:
        raise RecordNotFoundError(f"no record {aggregate_id!r} in this hall") from None


@dataclass(frozen=True)
class _Version:
    """Where a point falls in a record's history: its version there, and that event's place."""

    number: int
    position: int
    recorded_at: datetime


def _version_at(app: AuditLog, record_id: UUID, point: Point) -> _Version | None:
    """The record's last version at or before ``point`` (``None``: it did not exist yet)."""
    recorder = app.recorder
    assert isinstance(recorder, TenantProcessRecorder)
    query, value = (_AT_POSITION, point.position) if point.at is None else (_AT_TIME, point.at)
    rows = recorder.session.fetch(query, (app.hall_id, str(record_id), value))
    if not rows:
        return None
    version, position, recorded_at = rows[0]
    return _Version(int(version), int(position), recorded_at)


def _states(
    app: AuditLog, record_id: UUID, versions: list[_Version], *, personal: bool
) -> dict[int, RecordState]:
    """The record's states at ``versions``, folding its events once from the first.

    Only the hall's (hash-chained) events are read, through the event store: never the
    snapshots table, whatever the application's snapshotting settings.
    """
    wanted = {v.number: v for v in versions}
    states: dict[int, RecordState] = {}
    aggregate: Aggregate | None = None
    version = 0
    try:
        for event in app.events.get(record_id, lte=max(wanted)):
            assert isinstance(event, CanMutateProtocol)
            version = event.originator_version
            aggregate = event.mutate(aggregate)
            if aggregate is not None and version in wanted:
                at = wanted[version]
                states[version] = RecordState(
                    aggregate_id=str(record_id),
                    record_type=get_topic(type(aggregate)),
                    version=version,
                    position=at.position,
                    recorded_at=at.recorded_at,
                    state=aggregate_state(aggregate, personal=personal),
                )
    except DomainError as error:
        raise UnreadableRecordError(
            f"record {record_id} cannot be rebuilt at version {version}: {error} "
            "(its domain rejects the stored values, e.g. erased personal fields)"
        ) from None
    if len(states) < len(wanted):
        raise RecordNotFoundError(f"no record {record_id} in this hall")
    return states


def state_as_of(app: AuditLog, aggregate_id: str, point: Point, *, personal: bool) -> RecordState:
    """The record's state at ``point`` (personal attributes redacted unless ``personal``)."""
    record_id = _parse_id(aggregate_id)
    at = _version_at(app, record_id, point)
    if at is None:
        raise RecordNotFoundError(f"record {aggregate_id} did not exist at {point}")
    return _states(app, record_id, [at], personal=personal)[at.number]


def record_diff(
    app: AuditLog, aggregate_id: str, first: Point, second: Point, *, personal: bool
) -> RecordDiff:
    """The field-level changes of a record from ``first`` to ``second``."""
    record_id = _parse_id(aggregate_id)
    start, end = _version_at(app, record_id, first), _version_at(app, record_id, second)
    if end is None:
        raise RecordNotFoundError(f"record {aggregate_id} did not exist at {second}")
    states = _states(app, record_id, [end] if start is None else [start, end], personal=personal)
    before, after = (states[start.number] if start else None), states[end.number]
    changes = diff_states(before.state if before else {}, after.state)
    return RecordDiff(before, after, changes)
