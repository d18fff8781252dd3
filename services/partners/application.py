"""Application services: the partner registry (platform log) and one hall's grants."""

from __future__ import annotations

from collections.abc import Iterable

from services.halls import require_registered_hall
from services.partners.domain import PLATFORM_LOG, Grant, GrantStart, Partner
from services.partners.errors import (
    GrantNotActiveError,
    PartnerAlreadyRegisteredError,
    PartnerNotFoundError,
)
from services.partners.scope import covered_types, grantable_event_types, normalize_patterns
from services.shared.application import HallApplication
from services.shared.errors import ConflictError

__all__ = ["PartnerGrants", "PartnerRegistry", "grantable_event_types", "resolve_event_types"]


def resolve_event_types(names: Iterable[str]) -> list[str]:
    """Check the names of a grant and return the types they cover now: ``queue.TicketIssued``,
    or ``queue.*`` for every type of a context (:mod:`services.partners.scope`).

    >>> resolve_event_types(["halls.*"])
    ['halls.HallPoliciesChanged', 'halls.HallRegistered']
    """
    return sorted(covered_types(normalize_patterns(names)))


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
        position of the event in the hall's log: delivery follows from there (``NOW``).
        ``context.*`` is recorded as a pattern: it also covers the context's later types."""
        require_registered_hall(self)
        patterns = normalize_patterns(event_types)
        types = sorted(covered_types(patterns))
        grant = self.get_or_none(Grant.create_id(self.hall_id, partner.partner_id))
        if grant is None:
            grant = Grant(
                hall_id=self.hall_id,
                partner_id=partner.partner_id,
                event_types=types,
                patterns=patterns,
                personal_data=personal_data,
                start=start.value,
                actor=actor,
            )
        else:
            assert isinstance(grant, Grant)
            grant.change(types, patterns, personal_data, start, actor)
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
