"""The access log of a hall, newest first: what its admin sees (``auditAccessLog``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from services.audit.application import require_known_hall
from services.audit.domain import AuditAccess
from services.audit.history import MAX_PAGE
from services.shared.errors import ValidationError
from services.store.decoding import decode
from services.store.pool import Pool
from services.store.session import TenantSession

__all__ = ["AccessEntry", "list_access_log"]

_TOPIC = get_topic(AuditAccess.Recorded)
_SELECT = (
    "SELECT position, originator_id, originator_version, topic, state, recorded_at FROM events"
    " WHERE tenant_id = %s AND topic = %s AND position < %s ORDER BY position DESC LIMIT %s"
)


@dataclass(frozen=True)
class AccessEntry:
    """One recorded read of the hall's history."""

    position: int
    recorded_at: datetime
    actor: str
    role: str
    action: str
    scope: str
    reason: str
    personal: bool


def list_access_log(
    pool: Pool, tenant_id: str, *, first: int = 50, before: int | None = None
) -> list[AccessEntry]:
    """Up to ``first`` (1 to 500) entries before position ``before`` (``None``: the newest).

    An unknown hall is refused (:class:`~services.audit.errors.UnknownHallError`) rather
    than shown an empty log; a page size out of range or a negative position is
    ``VALIDATION`` (not clamped, and ``before: 0`` is the empty page before the first).
    """
    if not 1 <= first <= MAX_PAGE:
        raise ValidationError(f"page size is 1 to {MAX_PAGE}")
    if before is not None and before < 0:
        raise ValidationError("before is a position, 0 or more")
    require_known_hall(pool, tenant_id)
    rows = TenantSession(pool, tenant_id).fetch(
        _SELECT, (tenant_id, _TOPIC, 2**62 if before is None else before, first)
    )
    entries = []
    for position, originator_id, version, topic, state, recorded_at in rows:
        event: Any = decode(StoredEvent(originator_id, version, topic, bytes(state)))
        entries.append(
            AccessEntry(
                position=int(position),
                recorded_at=recorded_at,
                actor=event.actor,
                role=event.role,
                action=event.action,
                scope=event.scope,
                reason=event.reason,
                personal=event.personal,
            )
        )
    return entries
