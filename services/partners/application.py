"""Application services: the partner registry (platform log) and one hall's grants."""

from __future__ import annotations

from collections.abc import Iterable

from contracts import EVENT_TYPES
from services.halls import require_registered_hall
from services.partners.domain import PLATFORM_LOG, Grant, GrantStart, Partner
from services.partners.errors import (
    GrantNotActiveError,
    PartnerAlreadyRegisteredError,
    PartnerNotFoundError,
    UnknownEventTypeError,
)
from services.shared.application import HallApplication
from services.shared.errors import ConflictError, ValidationError

__all__ = ["PartnerGrants", "PartnerRegistry", "grantable_event_types", "resolve_event_types"]


def grantable_event_types() -> list[str]:
    """Every event type a hall can grant: all published types but the partners context's
    own (a grant must not tell one partner about another) and the holidays context's (the
    platform log's: no hall's log holds them)."""
    platform_only = ("partners.", "holidays.")
    return sorted({t.name for t in EVENT_TYPES if not t.name.startswith(platform_only)})


def resolve_event_types(names: Iterable[str]) -> list[str]:
    """Check and expand the names of a grant: ``queue.TicketIssued``, or ``queue.*`` for every
    type of a context at the time of the grant (recorded expanded, so later types are not
    granted silently).

    >>> resolve_event_types(["halls.*"])
    ['halls.HallPoliciesChanged', 'halls.HallRegistered']
    """
    known = grantable_event_types()
    found: set[str] = set()
    for raw in names:
        name = raw.strip()
        if name.endswith(".*"):
            matches = [t for t in known if t.startswith(name[:-1])]
            if not matches:
                raise UnknownEventTypeError(f"no grantable event types match {name!r}")
            found.update(matches)
        elif name in known:
            found.add(name)
        else:
            raise UnknownEventTypeError(
                f"unknown or ungrantable event type {name!r} (see contracts/events)"
            )
    if not found:
        raise ValidationError("a grant needs at least one event type")
    return sorted(found)


class PartnerRegistry(HallApplication):
    """The platform's register of partners; bind it to :data:`PLATFORM_LOG`."""

    def register_partner(self, partner_id: str, name: str, contact: str, actor: str) -> int:
        """Register a partner; returns the event's position in the platform log."""
        self._check_log()
        if self.get_or_none(Partner.create_id(partner_id)) is not None:
            raise PartnerAlreadyRegisteredError(f"partner {partner_id!r} is already registered")
        partner = Partner(partner_id=partner_id, name=name, contact=contact, actor=actor)
        conflict = PartnerAlreadyRegisteredError(f"partner {partner_id!r} is already registered")
        return self.save_or_conflict(partner, conflict=conflict)

    def get_partner(self, partner_id: str) -> Partner:
        self._check_log()
        partner = self.get_or_none(Partner.create_id(partner_id))
        if partner is None:
            raise PartnerNotFoundError(f"no partner {partner_id!r} is registered")
        assert isinstance(partner, Partner)
        return partner

    def _check_log(self) -> None:
        if self.hall_id != PLATFORM_LOG:
            raise RuntimeError(f"PartnerRegistry belongs to the {PLATFORM_LOG!r} log")


class PartnerGrants(HallApplication):
    """One hall's grants to partners (hall admins)."""

    def grant(
        self,
        partner: Partner,
        event_types: Iterable[str],
        personal_data: bool,
        start: GrantStart,
        actor: str,
    ) -> tuple[Grant, int]:
        """Grant ``partner`` the event types (or change its grant); returns the grant and the
        position of the event in the hall's log: delivery follows from there (``NOW``)."""
        require_registered_hall(self)
        types = resolve_event_types(event_types)
        grant = self.get_or_none(Grant.create_id(self.hall_id, partner.partner_id))
        if grant is None:
            grant = Grant(
                hall_id=self.hall_id,
                partner_id=partner.partner_id,
                event_types=types,
                personal_data=personal_data,
                start=start.value,
                actor=actor,
            )
        else:
            assert isinstance(grant, Grant)
            grant.change(types, personal_data, start, actor)
        position = self.save_or_conflict(grant, conflict=ConflictError("the grant changed"))
        return grant, position

    def revoke(self, partner_id: str, reason: str, actor: str) -> tuple[Grant, int]:
        """Revoke the partner's grant; delivery stops from the returned position on."""
        require_registered_hall(self)
        grant = self.get_grant(partner_id)
        if not grant.active:
            raise GrantNotActiveError(
                f"partner {partner_id!r} holds no active grant in hall {self.hall_id!r} "
                "(already revoked)"
            )
        grant.revoke(reason, actor)
        position = self.save_or_conflict(grant, conflict=ConflictError("the grant changed"))
        return grant, position

    def get_grant(self, partner_id: str) -> Grant:
        grant = self.get_or_none(Grant.create_id(self.hall_id, partner_id))
        if grant is None:
            raise GrantNotActiveError(
                f"partner {partner_id!r} holds no grant in hall {self.hall_id!r}"
            )
        assert isinstance(grant, Grant)
        return grant
