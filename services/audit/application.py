"""AuditLog: the hall-bound application that records audit facts and rebuilds past states."""

from __future__ import annotations

from dataclasses import dataclass

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from services.audit.domain import AccessAction, AuditAccess, ChainHead, require_reason
from services.audit.errors import UnknownHallError
from services.shared.application import HallApplication
from services.shared.errors import ConflictError
from services.store.pool import Pool
from services.store.session import TenantSession
from services.store.tenant import UnknownTenantError

__all__ = ["Accessor", "AuditLog", "require_known_hall"]


def require_known_hall(pool: Pool, tenant_id: str) -> None:
    """Refuse a hall without a log (:class:`UnknownHallError`), for reads that record nothing.

    A registered hall's log starts with ``HallRegistered``, and logs are never removed, so
    the check cannot go stale.
    """
    if not TenantSession(pool, tenant_id).has_log():
        raise UnknownHallError(str(UnknownTenantError(tenant_id)))


@dataclass(frozen=True)
class Accessor:
    """Who reads a hall's history, in which role, and why (all three go into the log)."""

    actor: str
    role: str
    reason: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "reason", require_reason(self.reason))


class AuditLog(HallApplication):
    """Records accesses and chain heads in the hall's log; reads past states of records.

    Only in a hall that has a log: for any other, :class:`UnknownHallError` and nothing is
    written.

    Snapshotting stays off: auditors' time travel (:mod:`services.audit.timetravel`)
    rebuilds past states from the hall's hash-chained events alone, never from snapshots,
    which the chain does not cover.
    """

    def record_access(
        self, accessor: Accessor, action: AccessAction, scope: str, *, personal: bool = False
    ) -> int:
        """Record one read of the hall's history; returns its position in the hall's log."""
        access = AuditAccess(
            hall_id=self.hall_id,
            actor=accessor.actor,
            role=accessor.role,
            action=action.value,
            scope=scope[:2000],
            reason=accessor.reason,
            personal=personal,
        )
        return self._append(access, conflict=ConflictError("access not recorded"))

    def publish_head(self, head_position: int, head_hash: str, actor: str) -> int:
        """Record that the chain's head at ``head_position`` had ``head_hash``."""
        head = ChainHead(
            hall_id=self.hall_id, head_position=head_position, head_hash=head_hash, actor=actor
        )
        return self._append(head, conflict=ConflictError("head not published"))

    def _append(self, aggregate: Aggregate, *, conflict: ConflictError) -> int:
        """Save to the hall's existing log; returns the position (like ``save_or_conflict``).

        Audit records are about a hall, never its first event: the append itself refuses a
        hall without a log (:class:`UnknownHallError`), in its own transaction, so an audit
        of an unknown hall cannot bring it into being in the immutable log.
        """
        try:
            recordings = self.save(aggregate, existing_log=True)
        except IntegrityError:
            raise conflict from None
        except UnknownTenantError as error:
            raise UnknownHallError(str(error)) from None
        return max((r.notification.id for r in recordings), default=0)
