"""The access log of a hall, newest first: what its admin sees (``auditAccessLog``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from services.audit.application import require_known_hall
from services.audit.domain import AuditAccess
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
    """Up to ``first`` entries before position ``before`` (``None``: the newest).

    An unknown hall is refused (:class:`~services.audit.errors.UnknownHallError`) rather
    than shown an empty log.
    """
    require_known_hall(pool, tenant_id)
    rows = TenantSession(pool, tenant_id).fetch(
        _SELECT, (tenant_id, _TOPIC, before or 2**62, max(1, min(first, 500)))
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
