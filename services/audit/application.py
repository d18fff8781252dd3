"""AuditLog: the hall-bound application that records audit facts and rebuilds past states."""

from __future__ import annotations

from dataclasses import dataclass

from services.audit.domain import AccessAction, AuditAccess, ChainHead, require_reason
from services.shared.application import HallApplication
from services.shared.errors import ConflictError

__all__ = ["Accessor", "AuditLog"]


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

    Snapshotting is enabled so that point-in-time loads (``repository.get(id, version=v)``)
    start from the latest snapshot at or before ``v`` when there is one.
    """

    is_snapshotting_enabled = True

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
        return self.save_or_conflict(access, conflict=ConflictError("access not recorded"))

    def publish_head(self, head_position: int, head_hash: str, actor: str) -> int:
        """Record that the chain's head at ``head_position`` had ``head_hash``."""
        head = ChainHead(
            hall_id=self.hall_id, head_position=head_position, head_hash=head_hash, actor=actor
        )
        return self.save_or_conflict(head, conflict=ConflictError("head not published"))
