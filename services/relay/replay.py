"""``yanshen partners replay``: re-send a partner what it was sent of a hall's history.

Positions ``from_position`` up to the partner consumer's position in the hall are read
again and each event the partner was sent (by live delivery or a backfill) is published
again to the partner's topic, with the same ``ce_id``: a partner that deduplicates by
``ce_id`` sees no change, one that lost data gets it back. Events after that position are
the live consumer's. A ``from_position`` beyond the head of the hall's log is refused
(:class:`~services.shared.errors.ValidationError`).

A replay sends nothing the grant does not allow *now*: it is refused
(:class:`~services.partners.errors.GrantNotActiveError`) unless the partner holds an active
grant in the hall, only the types granted now are re-sent, and personal data only if the
grant includes it now (else redacted, whatever the partner was sent then). The grant is
read again before every batch, so a revocation during a replay stops it. Of a backfill the
grant's revocation cut short, only what it had delivered (up to its cursor) is re-sent; of
one a later change narrowed, each part as it was sent (its scope's cursor), no more.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from services.partners.access import AccessPolicy, Delivery, GrantChange
from services.partners.errors import GrantNotActiveError, PartnerNotFoundError
from services.partners.history import grant_policy, list_partners
from services.relay.messages import event_type_name, partner_message
from services.relay.partners import backfill_cursor, hall_head
from services.relay.sink import MessageSink
from services.relay.topics import domain_topics, partner_topic
from services.shared.errors import ValidationError
from services.shared.ids import validate_hall_id
from services.store import EventStore
from services.store.pool import Pool

__all__ = ["ReplayResult", "delivered_position", "replay"]

_POSITION = "SELECT position FROM consumer_positions WHERE consumer = %s AND tenant_id = %s"
_CURSORS = """
SELECT consumer, position FROM consumer_positions WHERE tenant_id = %s AND consumer = ANY(%s)
"""


@dataclass(frozen=True)
class ReplayResult:
    sent: int
    """Messages published again."""
    upto: int
    """The last position covered (the partner consumer's position in the hall)."""


def delivered_position(pool: Pool, partner_id: str, tenant_id: str) -> int:
    """How far the partner's consumer got in the hall (0 before its first batch)."""
    with pool.connection() as conn:
        row = conn.execute(_POSITION, (f"partner:{partner_id}", tenant_id)).fetchone()
    return int(row[0]) if row else 0


def replay(
    pool: Pool,
    sink: MessageSink,
    partner_id: str,
    tenant_id: str,
    from_position: int = 1,
    *,
    batch_size: int = 500,
    progress: Callable[[int, int], None] | None = None,
) -> ReplayResult:
    """Re-send the partner's messages of ``tenant_id`` from ``from_position`` on.

    ``progress(position, upto)`` is called after every batch. Needs a ``worker`` pool.
    """
    validate_hall_id(tenant_id)
    if from_position < 1:
        raise ValidationError("--from is a position in the hall's log, 1 or more")
    if partner_id not in {p.partner_id for p in list_partners(pool)}:
        raise PartnerNotFoundError(f"no partner {partner_id!r} is registered")
    upto = delivered_position(pool, partner_id, tenant_id)
    topic = partner_topic(partner_id)
    recorder = EventStore(pool).recorder(tenant_id)
    position, sent = from_position - 1, 0
    _active_grant(pool, partner_id, tenant_id)  # refused before anything is sent
    with pool.connection() as conn:
        head = hall_head(conn, tenant_id)
    if from_position > head:
        raise ValidationError(
            f"--from {from_position} is beyond the hall's log: the head of hall "
            f"{tenant_id!r} is position {head}"
        )
    if progress:
        progress(min(position, upto), upto)
    if position < upto:
        sink.ensure_topics([topic])  # deleted behind the relay's back? created again
    while position < upto:
        policy, current = _active_grant(pool, partner_id, tenant_id)  # revoked meanwhile?
        reached = _backfills_reached(pool, partner_id, tenant_id, policy, upto)
        notifications = recorder.select_notifications(
            start=position + 1,
            limit=batch_size,
            stop=upto,
            topics=domain_topics(current.event_types),
        )
        messages = []
        for n in notifications:
            name = event_type_name(n)
            if name is None or name not in current.event_types:
                continue
            delivery = policy.replay(n.id, name, upto, reached)
            if delivery is not None:
                if not current.personal_data:  # never more personal data than granted now
                    delivery = Delivery.REDACTED
                messages.append(partner_message(tenant_id, n, topic, delivery))
        sink.publish(messages)
        sent += len(messages)
        position = notifications[-1].id if len(notifications) == batch_size else upto
        if progress:
            progress(position, upto)
    return ReplayResult(sent=sent, upto=upto)


def _backfills_reached(
    pool: Pool, partner_id: str, tenant_id: str, policy: AccessPolicy, upto: int
) -> dict[tuple[int, int], int]:
    """How far each backfill that a later change narrowed or cut got under each of its
    scopes: (backfill position, scope since) → its cursor (absent: nothing)."""
    names = {
        backfill_cursor(partner_id, b, scope): (b.position, scope.since)
        for b in policy.backfills(0, upto)
        if b.narrowed
        for scope in b.scopes
    }
    if not names:
        return {}
    with pool.connection() as conn:
        rows = conn.execute(_CURSORS, (tenant_id, list(names))).fetchall()
    return {names[str(consumer)]: int(position) for consumer, position in rows}


def _active_grant(pool: Pool, partner_id: str, tenant_id: str) -> tuple[AccessPolicy, GrantChange]:
    """The grant's policy and its change in force now; refused unless the grant is active."""
    policy = grant_policy(pool, tenant_id, partner_id)
    current = policy.changes[-1] if policy.changes else None
    if current is None or not current.event_types:
        state = (
            "never granted"
            if current is None
            else "its event types are no longer delivered to partners"
            if current.active
            else "revoked"
        )
        raise GrantNotActiveError(
            f"partner {partner_id!r} holds no active grant in hall {tenant_id!r} ({state}): "
            "nothing is replayed to it"
        )
    return policy, current
