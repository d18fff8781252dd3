"""Partners (数据共享伙伴) and the grants halls give them.

A :class:`Partner` lives in the platform log (tenant :data:`PLATFORM_LOG`, which no hall
can take). A :class:`Grant` lives in the log of the hall that gives it, so its position
orders it exactly among the hall's events: delivery starts after the grant (or, with
backfill, from the hall's first event) and stops at the revocation's position.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from services.partners.errors import GrantNotActiveError, GrantUnchangedError, PartnerIdError
from services.partners.scope import patterns_of_v1
from services.shared.errors import ValidationError
from services.shared.ids import HALL_ID_PATTERN, PLATFORM_LOG, stable_id

__all__ = ["PLATFORM_LOG", "Grant", "GrantStart", "Partner", "validate_partner_id"]


def validate_partner_id(partner_id: str) -> str:
    """Return ``partner_id`` if it is a lowercase slug, else raise :class:`PartnerIdError`.

    >>> validate_partner_id("tax-bureau")
    'tax-bureau'
    """
    if not isinstance(partner_id, str) or not HALL_ID_PATTERN.match(partner_id):
        raise PartnerIdError(
            f"invalid partner id {partner_id!r}: use 1-63 lowercase letters, digits and hyphens"
        )
    return partner_id


class GrantStart(StrEnum):
    """Where delivery of newly granted event types starts."""

    BEGINNING = "BEGINNING"
    """Backfill: from the hall's first event."""
    NOW = "NOW"
    """From the grant's position in the hall's log on."""


class Partner(Aggregate):
    """A system that receives halls' events: another government system or a vendor.

    >>> p = Partner(partner_id="tax", name="税务局", contact="ops@tax.example", actor="op")
    >>> p.id == Partner.create_id("tax"), p.name
    (True, '税务局')
    """

    class Registered(Aggregate.Created):
        """PartnerRegistered: a platform operator registered the partner."""

        partner_id: str
        name: str
        contact: str
        actor: str

    @event(Registered)
    def __init__(self, partner_id: str, name: str, contact: str, actor: str) -> None:
        validate_partner_id(partner_id)
        if not name.strip() or len(name) > 200 or len(contact) > 200:
            raise ValidationError("a partner needs a name; name and contact are at most 200 chars")
        self.partner_id = partner_id
        self.name = name.strip()
        self.contact = contact.strip()

    @staticmethod
    def create_id(partner_id: str) -> UUID:
        return stable_id(PLATFORM_LOG, "partner", partner_id)


class Grant(Aggregate):
    """One hall's grant to one partner: the event types it receives, with or without
    personal data. Granting again changes the scope; revoking stops delivery.

    ``patterns`` are the names as granted (``queue.*`` stays a pattern, matched when an
    event is delivered); ``event_types`` are the types they covered at the grant's time.

    >>> g = Grant(hall_id="demo", partner_id="tax", event_types=["queue.TicketIssued"],
    ...           patterns=["queue.TicketIssued"], personal_data=False, start="NOW",
    ...           actor="admin")
    >>> g.active, g.patterns
    (True, ('queue.TicketIssued',))
    >>> g.revoke("contract ended", "admin"); g.active
    False
    """

    class Issued(Aggregate.Created):
        """GrantIssued: a hall admin granted a partner a set of event types of the hall."""

        class_version = 2
        hall_id: str
        partner_id: str
        event_types: list[str]
        patterns: list[str]
        personal_data: bool
        start: str
        actor: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Version 1 recorded ``context.*`` expanded: its patterns are inferred."""
            state["patterns"] = patterns_of_v1(state["event_types"])

    class Changed(Aggregate.Event):
        """GrantChanged: the grant's scope was replaced (also a re-grant after a revocation)."""

        class_version = 2
        event_types: list[str]
        patterns: list[str]
        personal_data: bool
        start: str
        actor: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Version 1 recorded ``context.*`` expanded: its patterns are inferred."""
            state["patterns"] = patterns_of_v1(state["event_types"])

    class Revoked(Aggregate.Event):
        """GrantRevoked: delivery to the partner stops from this position on."""

        reason: str
        actor: str

    @event(Issued)
    def __init__(
        self,
        hall_id: str,
        partner_id: str,
        event_types: list[str],
        patterns: list[str],
        personal_data: bool,
        start: str,
        actor: str,
    ) -> None:
        self.hall_id = hall_id
        self.partner_id = validate_partner_id(partner_id)
        self._set_scope(event_types, patterns, personal_data, start)

    def _set_scope(
        self, event_types: list[str], patterns: list[str], personal_data: bool, start: str
    ) -> None:
        if not event_types or not patterns:
            raise ValidationError("a grant needs at least one event type")
        GrantStart(start)
        self.event_types = tuple(sorted(set(event_types)))
        self.patterns = tuple(sorted(set(patterns)))
        self.personal_data = personal_data
        self.active = True

    def change(
        self,
        event_types: list[str],
        patterns: list[str],
        personal_data: bool,
        start: GrantStart,
        actor: str,
    ) -> None:
        """Replace the scope; refused when nothing would change (the same names: a pattern
        is not the same grant as the types it covers today)."""
        scope = (tuple(sorted(set(patterns))), personal_data)
        if self.active and scope == (self.patterns, self.personal_data):
            raise GrantUnchangedError(f"partner {self.partner_id!r} already has this grant")
        self._changed(
            sorted(set(event_types)), sorted(set(patterns)), personal_data, start.value, actor
        )

    @event(Changed)
    def _changed(
        self,
        event_types: list[str],
        patterns: list[str],
        personal_data: bool,
        start: str,
        actor: str,
    ) -> None:
        self._set_scope(event_types, patterns, personal_data, start)

    def revoke(self, reason: str, actor: str) -> None:
        if not self.active:
            raise GrantNotActiveError(f"partner {self.partner_id!r} holds no active grant")
        if len(reason) > 500:
            raise ValidationError("a revocation reason is at most 500 characters")
        self._revoked(reason.strip(), actor)

    @event(Revoked)
    def _revoked(self, reason: str, actor: str) -> None:
        self.active = False

    @staticmethod
    def create_id(hall_id: str, partner_id: str) -> UUID:
        """One grant aggregate per (hall, partner): found by id, no read model needed."""
        return stable_id(hall_id, "partner-grant", partner_id)
