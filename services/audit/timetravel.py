"""Time travel: a record's state as of a position or a time, and the changes between two.

A point in the hall's history (a position of its log, or a time of the database's commit
clock) maps to the record's last version at or before it; the library's repository rebuilds
that version (``repository.get(id, version=v)``, from the latest snapshot at or before ``v``
when there is one).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate
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


def state_as_of(app: AuditLog, aggregate_id: str, point: Point, *, personal: bool) -> RecordState:
    """The record's state at ``point`` (personal attributes redacted unless ``personal``)."""
    record_id = _parse_id(aggregate_id)
    recorder = app.recorder
    assert isinstance(recorder, TenantProcessRecorder)
    query, value = (_AT_POSITION, point.position) if point.at is None else (_AT_TIME, point.at)
    rows = recorder.session.fetch(query, (app.hall_id, str(record_id), value))
    if not rows:
        raise RecordNotFoundError(f"record {aggregate_id} did not exist at {point}")
    version, position, recorded_at = rows[0]
    try:
        aggregate: Aggregate = app.repository.get(record_id, version=int(version))
    except AggregateNotFoundError:
        raise RecordNotFoundError(f"no record {aggregate_id} in this hall") from None
    except DomainError as error:
        raise UnreadableRecordError(
            f"record {aggregate_id} cannot be rebuilt at version {version}: {error} "
            "(its domain rejects the stored values, e.g. erased personal fields)"
        ) from None
    return RecordState(
        aggregate_id=str(record_id),
        record_type=get_topic(type(aggregate)),
        version=int(version),
        position=int(position),
        recorded_at=recorded_at,
        state=aggregate_state(aggregate, personal=personal),
    )


def record_diff(
    app: AuditLog, aggregate_id: str, first: Point, second: Point, *, personal: bool
) -> RecordDiff:
    """The field-level changes of a record from ``first`` to ``second``."""
    after = state_as_of(app, aggregate_id, second, personal=personal)
    try:
        before: RecordState | None = state_as_of(app, aggregate_id, first, personal=personal)
    except RecordNotFoundError:
        before = None
    changes = diff_states(before.state if before else {}, after.state)
    return RecordDiff(before, after, changes)
