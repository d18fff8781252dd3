"""Each partner's own consumer of the hall logs, feeding the partner's own topic.

Positions and leases are kept per (partner, hall) under the consumer name
``partner:<partner-id>``. A batch reads the grant's history (its events and positions in
the hall's log, by the grant's id), then only the hall's events of types ever granted, and
delivers those the :class:`~services.partners.AccessPolicy` allows. A grant that starts at
the beginning stops the batch at its position and backfills the hall's earlier events of
the newly granted types first (its own cursor ``partner:<id>:backfill:<position>``), so an
aggregate's events still arrive in order. A later change of the grant narrows what is left
of the backfill (fewer types, no personal data: a cursor of its own,
``partner:<id>:backfill:<position>:<change position>``, going on from where the backfill
was); a revocation cuts it: it sends nothing more, wherever it was. Both hold after a crash
or restart too: the changes are in the log, read again in every batch's transaction.

Every batch, live or backfill, is one short transaction of at most ``batch_size`` messages;
between batches the hall's lease is renewed, and a hall whose lease was lost, whose position
row another session holds, or whose message Kafka refuses for good is left for a later
round while the other halls go on.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import psycopg
from eventsourcing.persistence import Notification
from prometheus_client import Counter

from services.partners.access import AccessPolicy, Backfill, BackfillScope
from services.partners.domain import PLATFORM_LOG
from services.partners.history import grant_history, list_partners
from services.relay.cloudevents import CloudEvent
from services.relay.messages import event_type_name, partner_message
from services.relay.rejections import Rejections
from services.relay.sink import MessageRejectedError, MessageSink, SinkUnavailableError
from services.relay.topics import domain_topics, partner_topic
from services.store.consumer import LogConsumer, PositionLockedError, lock_consumer_position
from services.store.consumers import pending_tenants, record_consumer_position
from services.store.pool import Pool

__all__ = ["PartnerConsumer", "PartnerFanout", "backfill_cursor", "hall_head"]

log = logging.getLogger(__name__)

DELIVERED = Counter("yanshen_partner_events_total", "Events delivered to partners", ["partner"])

_HEAD = "SELECT position FROM tenant_heads WHERE tenant_id = %s"


def hall_head(conn: psycopg.Connection[Any], tenant_id: str) -> int:
    row = conn.execute(_HEAD, (tenant_id,)).fetchone()
    return int(row[0]) if row else 0


class PartnerConsumer(LogConsumer):
    """One partner's consumer of every hall's log."""

    def __init__(self, pool: Pool, sink: MessageSink, partner_id: str, **kwargs: Any) -> None:
        self.partner_id = partner_id
        self.consumer = f"partner:{partner_id}"
        self.topic = partner_topic(partner_id)
        super().__init__(pool, **kwargs)
        self.sink = sink
        self.rejections = Rejections(self.consumer)

    def catch_up(self) -> int:
        """Deliver what is pending in the halls this worker holds; returns messages sent."""
        pending = dict(pending_tenants(self.pool, self.consumer))
        done = 0
        for tenant_id in sorted(self.leases.claim(pending)):
            if tenant_id in pending and self.rejections.ready(tenant_id):
                done += self._catch_up_hall(tenant_id, pending[tenant_id])
        return done

    def _catch_up_hall(self, tenant_id: str, head: int) -> int:
        """Batch after batch (each its own transaction) while the hall has more and this
        worker still holds its lease."""
        done = 0
        while True:
            try:
                sent, more = self._deliver(tenant_id)
            except PositionLockedError:
                # Another session's batch of this hall (a frozen relay's?): not ours to wait for.
                log.info("%s: hall %s busy in another session", self.consumer, tenant_id)
                return done
            except MessageRejectedError as error:
                self.rejections.failed(tenant_id, error)
                return done
            except Exception as error:
                if self.ends_round(error):
                    raise
                log.exception("%s: batch of hall %s failed", self.consumer, tenant_id)
                return done
            self.rejections.succeeded(tenant_id)
            done += sent
            if not more:
                return done
            held = self.leases.keep([tenant_id])
            if held is not None and tenant_id not in held:
                return done  # taken over (our lease had expired): the new holder goes on

    def ends_round(self, error: Exception) -> bool:
        return isinstance(error, SinkUnavailableError) or super().ends_round(error)

    def handle(
        self, conn: psycopg.Connection[Any], tenant_id: str, notifications: Sequence[Notification]
    ) -> None:
        raise NotImplementedError("partner consumers select their own batches (_deliver)")

    def _deliver(self, tenant_id: str) -> tuple[int, bool]:
        """One batch of one hall, in one transaction: returns (messages sent, whether more is
        pending). Live events up to the next backfilling grant; there, one batch of the
        backfill per call, until it is done; then on past the grant."""
        with self.pool.connection() as conn, conn.transaction():
            position = lock_consumer_position(
                conn, self.consumer, tenant_id, wait=self.position_wait
            )
            head = hall_head(conn, tenant_id)  # before the history: no grant is missed
            if position >= head:
                return 0, False
            policy = AccessPolicy(grant_history(conn, tenant_id, self.partner_id))
            # A revoked grant's backfill sends nothing more: what it did not deliver before
            # the revocation was read stays undelivered (its cursors record how far it got).
            backfills = [b for b in policy.backfills(position, head) if not b.cut]
            sent = 0
            if backfills and position == backfills[0].position - 1:
                sent, finished = self._backfill(conn, tenant_id, backfills[0])
                if not finished:  # the live position waits before the grant
                    DELIVERED.labels(self.partner_id).inc(sent)
                    return sent, True
                backfills = backfills[1:]
            stop = backfills[0].position - 1 if backfills else head
            topics = domain_topics(policy.granted_ever)
            start = policy.next_live(position)  # no grant in force before it: skip the range
            notifications = (
                self.store.recorder(tenant_id).select_notifications(
                    start=start, limit=self.batch_size, stop=stop, topics=topics
                )
                if topics and start is not None and start <= stop
                else []
            )
            messages = self._live(tenant_id, policy, notifications)
            self.sink.publish(messages)
            full = len(notifications) == self.batch_size
            reached = notifications[-1].id if full else stop
            record_consumer_position(conn, self.consumer, tenant_id, reached)
        sent += len(messages)
        DELIVERED.labels(self.partner_id).inc(sent)
        return sent, reached < head

    def _live(
        self, tenant_id: str, policy: AccessPolicy, notifications: Sequence[Notification]
    ) -> list[CloudEvent]:
        messages = []
        for n in notifications:
            name = event_type_name(n)
            delivery = policy.live(n.id, name) if name else None
            if delivery is not None:
                messages.append(partner_message(tenant_id, n, self.topic, delivery))
        return messages

    def _backfill(
        self, conn: psycopg.Connection[Any], tenant_id: str, backfill: Backfill
    ) -> tuple[int, bool]:
        """One batch of the hall's history before ``backfill.position`` under its current
        scope (the narrowest the grant's later changes left), in the caller's transaction:
        returns (messages sent, whether the backfill is done). Each scope has a cursor of its
        own (so a crash resumes the backfill where it was, and a replay knows what was sent
        under which scope); a narrower scope goes on from the furthest of them."""
        names = [backfill_cursor(self.partner_id, backfill, s) for s in backfill.scopes]
        done = lock_consumer_position(conn, names[-1], tenant_id, wait=self.position_wait)
        if len(names) > 1:
            row = conn.execute(_FURTHEST, (tenant_id, names[:-1])).fetchone()
            done = max(done, int(row[0]) if row and row[0] is not None else 0)
        last = backfill.position - 1
        if done >= last:
            return 0, True
        scope = backfill.current
        notifications = self.store.recorder(tenant_id).select_notifications(
            start=done + 1,
            limit=self.batch_size,
            stop=last,
            topics=domain_topics(scope.event_types),
        )
        messages = [
            partner_message(tenant_id, n, self.topic, scope.delivery) for n in notifications
        ]
        self.sink.publish(messages)
        full = len(notifications) == self.batch_size
        record_consumer_position(conn, names[-1], tenant_id, notifications[-1].id if full else last)
        return len(messages), not full


_FURTHEST = """
SELECT max(position) FROM consumer_positions WHERE tenant_id = %s AND consumer = ANY(%s)
"""


def backfill_cursor(partner_id: str, backfill: Backfill, scope: BackfillScope) -> str:
    """The consumer name of a backfill's cursor under ``scope``: the first scope's keeps the
    name cursors had before narrowing existed."""
    name = f"partner:{partner_id}:backfill:{backfill.position}"
    return name if scope.since == backfill.position else f"{name}:{scope.since}"


class PartnerFanout:
    """Every registered partner's consumer, created as partners are registered."""

    def __init__(self, pool: Pool, sink: MessageSink, **consumer_options: Any) -> None:
        self.pool = pool
        self.sink = sink
        self.consumer_options = consumer_options
        self.consumers: dict[str, PartnerConsumer] = {}
        self._registry_head = -1

    def refresh(self) -> None:
        """Add consumers for partners registered since the last look, and create the
        partners' topics that are missing: a new partner's, or one deleted behind the
        relay's back (the sink asks the broker again only after a failed batch)."""
        with self.pool.connection() as conn:
            head = hall_head(conn, PLATFORM_LOG)
        if head != self._registry_head:
            new = [
                p.partner_id for p in list_partners(self.pool) if p.partner_id not in self.consumers
            ]
            self.sink.ensure_topics(partner_topic(p) for p in new)
            for partner_id in new:
                self.consumers[partner_id] = PartnerConsumer(
                    self.pool, self.sink, partner_id, **self.consumer_options
                )
            self._registry_head = head
        self.sink.ensure_topics(c.topic for c in self.consumers.values())

    def catch_up(self) -> int:
        self.refresh()
        return sum(c.catch_up() for c in self.consumers.values())

    def close(self) -> None:
        for consumer in self.consumers.values():
            try:
                consumer.close()
            except Exception:  # a dead database must not hide the original error
                log.warning("%s: could not release leases", consumer.consumer, exc_info=True)
