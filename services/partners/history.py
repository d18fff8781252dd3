"""Reading partners and grants back from the logs (for the relay and operator tools).

No read model: a grant is one aggregate per (hall, partner) with a derived id, so its events
and their positions come from the hall's log by an index lookup; the partner register is
the small platform log. Use a ``worker`` pool (or an ``app`` connection set to the hall).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from services.partners.access import AccessPolicy, GrantChange
from services.partners.domain import PLATFORM_LOG, Grant, GrantStart, Partner
from services.partners.scope import covered_types, withheld
from services.store import decode
from services.store.pool import Pool

__all__ = [
    "GrantRecord",
    "PartnerRecord",
    "grant_history",
    "grant_policy",
    "list_grants",
    "list_partners",
]

_GRANT_EVENTS = """
SELECT position, originator_id, originator_version, topic, state FROM events
WHERE tenant_id = %s AND originator_id = %s ORDER BY originator_version
"""
_PARTNERS = """
SELECT originator_id, originator_version, topic, state FROM events
WHERE tenant_id = %s AND topic = %s ORDER BY position
"""
_GRANTS = """
SELECT e.tenant_id, e.position, e.originator_id, e.originator_version, e.topic, e.state
FROM events e JOIN unnest(%s::text[], %s::text[]) AS g(tenant_id, originator_id)
  ON e.tenant_id = g.tenant_id AND e.originator_id = g.originator_id
ORDER BY e.tenant_id, e.originator_version
"""


@dataclass(frozen=True)
class PartnerRecord:
    partner_id: str
    name: str
    contact: str


@dataclass(frozen=True)
class GrantRecord:
    """A grant's current state in one hall and the position of its last change."""

    hall_id: str
    partner_id: str
    active: bool
    patterns: tuple[str, ...]
    """As granted: names and ``context.*`` patterns."""
    personal_data: bool
    position: int

    @property
    def event_types(self) -> tuple[str, ...]:
        """The types the grant covers now (its patterns matched against today's types)."""
        return tuple(sorted(covered_types(self.patterns)))

    @property
    def withheld(self) -> tuple[str, ...]:
        """Names of the grant that are no longer delivered (not grantable any more)."""
        return tuple(withheld(self.patterns))


def _decode(row: tuple[Any, ...]) -> Any:
    originator_id, version, topic, state = row
    return decode(StoredEvent(originator_id, version, topic, bytes(state)))


def _change(position: int, event: Any) -> GrantChange:
    """The change with the types its patterns cover *now*: a type added to a granted
    context since the grant is delivered too (and backfilled by a grant from the beginning
    that the relay has not passed yet)."""
    if isinstance(event, Grant.Revoked):
        return GrantChange(position, frozenset(), active=False)
    types = covered_types(event.patterns)
    return GrantChange(position, types, event.personal_data, GrantStart(event.start))


def grant_history(
    conn: psycopg.Connection[Any], hall_id: str, partner_id: str
) -> list[GrantChange]:
    """Every change of the partner's grant in the hall, with its position, oldest first."""
    grant_id = str(Grant.create_id(hall_id, partner_id))
    rows = conn.execute(_GRANT_EVENTS, (hall_id, grant_id)).fetchall()
    return [_change(int(r[0]), _decode(r[1:])) for r in rows]


def grant_policy(pool: Pool, hall_id: str, partner_id: str) -> AccessPolicy:
    with pool.connection() as conn:
        return AccessPolicy(grant_history(conn, hall_id, partner_id))


def list_partners(pool: Pool) -> list[PartnerRecord]:
    """Every registered partner, in registration order."""
    with pool.connection() as conn:
        rows = conn.execute(_PARTNERS, (PLATFORM_LOG, get_topic(Partner.Registered))).fetchall()
    found = []
    for row in rows:
        event = _decode(row)
        found.append(PartnerRecord(event.partner_id, event.name, event.contact))
    return found


def list_grants(pool: Pool, partner_ids: list[str], hall_ids: list[str]) -> list[GrantRecord]:
    """The grants of ``partner_ids`` in ``hall_ids`` (one index lookup per pair)."""
    owners = {(h, str(Grant.create_id(h, p))): p for h in hall_ids for p in partner_ids}
    if not owners:
        return []
    with pool.connection() as conn:
        rows = conn.execute(_GRANTS, ([h for h, _ in owners], [g for _, g in owners])).fetchall()
    state: dict[tuple[str, str], GrantRecord] = {}
    for row in rows:
        hall_id, position, event = str(row[0]), int(row[1]), _decode(row[2:])
        partner_id = owners[(hall_id, str(row[2]))]
        if isinstance(event, Grant.Revoked):
            before = state[(hall_id, partner_id)]
            record = GrantRecord(
                hall_id, partner_id, False, before.patterns, before.personal_data, position
            )
        else:
            patterns = tuple(event.patterns)
            record = GrantRecord(hall_id, partner_id, True, patterns, event.personal_data, position)
        state[(hall_id, partner_id)] = record
    return sorted(state.values(), key=lambda g: (g.partner_id, g.hall_id))
