"""The one way auditors and operators read a hall's history: every read is logged first.

``AuditReader(store).history(hall, accessor, …)`` records an ``AuditAccessRecorded`` event
(who, role, what, why) in the hall's log and only then reads; a read without a reason is
refused before anything happens (:class:`~services.audit.errors.ReasonRequiredError`), and so
is a read of a hall that has no log (:class:`~services.audit.errors.UnknownHallError`,
refused by the append of the access record itself): auditing never creates a hall.
"""

from __future__ import annotations

from services.audit.application import Accessor, AuditLog
from services.audit.domain import AccessAction
from services.audit.history import (
    HistoryFilter,
    HistoryPage,
    check_history_request,
    read_history,
)
from services.audit.timetravel import Point, RecordDiff, RecordState, record_diff, state_as_of
from services.store.store import EventStore

__all__ = ["AuditReader"]


class AuditReader:
    """Read-only access to halls' histories through one event store (role ``app``)."""

    def __init__(self, store: EventStore) -> None:
        self.store = store

    def log(self, tenant_id: str) -> AuditLog:
        """The hall's :class:`AuditLog` application."""
        app = self.store.application(AuditLog, tenant_id)
        app.hall_id = tenant_id
        return app

    def record(
        self,
        tenant_id: str,
        accessor: Accessor,
        action: AccessAction,
        scope: str,
        *,
        personal: bool = False,
    ) -> int:
        """Record an access (exports and replays call this themselves); returns its position.

        Raises :class:`~services.audit.errors.UnknownHallError` for a hall without a log.
        """
        return self.log(tenant_id).record_access(accessor, action, scope, personal=personal)

    def history(
        self,
        tenant_id: str,
        accessor: Accessor,
        where: HistoryFilter,
        *,
        after: int = 0,
        first: int = 100,
        personal: bool = False,
    ) -> HistoryPage:
        """A page of the hall's event stream (see :func:`read_history`).

        A filter or page size that :func:`read_history` would refuse is refused before the
        access is recorded (:class:`~services.shared.errors.ValidationError`): a typo reads
        nothing, so it leaves no access record in the hall's immutable log either.
        """
        check_history_request(where, first)
        scope = f"{where.describe()}; after {after}; first {first}"
        self.record(tenant_id, accessor, AccessAction.HISTORY, scope, personal=personal)
        return read_history(
            self.store.pool, tenant_id, where, after=after, first=first, personal=personal
        )

    def as_of(
        self,
        tenant_id: str,
        accessor: Accessor,
        aggregate_id: str,
        point: Point,
        *,
        personal: bool = False,
    ) -> RecordState:
        """A record's state at a position or time."""
        scope = f"record {aggregate_id} at {point}"
        self.record(tenant_id, accessor, AccessAction.AS_OF, scope, personal=personal)
        return state_as_of(self.log(tenant_id), aggregate_id, point, personal=personal)

    def diff(
        self,
        tenant_id: str,
        accessor: Accessor,
        aggregate_id: str,
        first: Point,
        second: Point,
        *,
        personal: bool = False,
    ) -> RecordDiff:
        """A record's field-level changes between two points."""
        scope = f"record {aggregate_id} from {first} to {second}"
        self.record(tenant_id, accessor, AccessAction.DIFF, scope, personal=personal)
        return record_diff(self.log(tenant_id), aggregate_id, first, second, personal=personal)
