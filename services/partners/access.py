"""Which events of a hall a partner receives, decided from the grant's history alone.

Pure: the relay reads the grant's events with their positions in the hall's log and asks
this policy, position by position. The rules:

- *live*: an event at position ``p`` is delivered when the grant change in force at ``p``
  (the last one before ``p``) is active and names the event's type; personal data is
  redacted unless that change includes it. A revocation at ``r`` stops delivery of every
  event after ``r``.
- *backfill*: a change with start ``BEGINNING`` also delivers the hall's earlier events
  (positions before the change) of the types it newly adds. A later change narrows what
  the rest of that backfill sends (收窄): only the types every later change still names,
  personal data only while every later change still includes it; a revocation narrows it
  to nothing, so no more of it is sent. Each scope has its own cursor, which keeps how far
  the backfill got under it. A later re-grant from the beginning backfills the types it
  adds again (after a revocation: the whole history).
- *replay*: re-sends what the partner was sent for a position, the latest decision winning.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

from services.partners.domain import GrantStart

__all__ = ["AccessPolicy", "Backfill", "BackfillScope", "Delivery", "GrantChange"]


class Delivery(Enum):
    """How an event reaches a partner."""

    FULL = "FULL"
    """With personal data."""
    REDACTED = "REDACTED"
    """Personal data fields set to null."""


@dataclass(frozen=True)
class GrantChange:
    """One event of a grant: its position in the hall's log and the scope from there on."""

    position: int
    event_types: frozenset[str]
    """Empty for a revocation (or a grant none of whose types is deliverable any more)."""
    personal_data: bool = False
    start: GrantStart = GrantStart.NOW
    active: bool = True
    """False for a revocation."""

    @property
    def delivery(self) -> Delivery:
        return Delivery.FULL if self.personal_data else Delivery.REDACTED


@dataclass(frozen=True)
class BackfillScope:
    """What a backfill sends from the change at ``since`` on (until a later scope)."""

    since: int
    """The position of the change that set it: the backfill's own, or a narrowing one."""
    event_types: frozenset[str]
    """Empty: cut (a revocation): nothing more of the backfill is sent."""
    delivery: Delivery


@dataclass(frozen=True)
class Backfill:
    """History to send when the relay reaches a grant change that starts at the beginning."""

    position: int
    """The change's position: the backfill covers positions ``1 .. position - 1``."""
    event_types: frozenset[str]
    delivery: Delivery
    narrowed: tuple[BackfillScope, ...] = ()
    """The later changes that narrowed what the rest of the backfill sends, in order (a
    revocation last, with no types): what the backfill had not delivered when the relay
    reads a narrowing is sent under the narrower scope, or not at all."""

    @property
    def scopes(self) -> tuple[BackfillScope, ...]:
        """Its scopes, oldest first: the change's own, then each narrowing."""
        return (BackfillScope(self.position, self.event_types, self.delivery), *self.narrowed)

    @property
    def current(self) -> BackfillScope:
        """The scope what is left of the backfill is sent under."""
        return self.scopes[-1]

    @property
    def cut(self) -> bool:
        """Whether nothing more of it may be sent (revoked, or narrowed to no type)."""
        return not self.current.event_types

    def sent_under(self, position: int, reached: Mapping[int, int]) -> BackfillScope | None:
        """The scope under which the backfill sent ``position`` (None: never sent), once the
        relay has passed it. ``reached`` maps a scope's ``since`` to its cursor (how far the
        backfill got under it; absent: nothing); only a narrowed backfill needs them."""
        if not self.narrowed:
            return self.scopes[0]  # one scope: the relay passed it when it was done
        done = 0
        for scope in self.scopes:
            upto = reached.get(scope.since, 0)
            if scope is self.scopes[-1] and scope.event_types:
                upto = self.position - 1  # the last scope finished it: the relay passed it
            if done < position <= upto:
                return scope
            done = max(done, upto)
        return None


class AccessPolicy:
    """The grant history of one (hall, partner).

    >>> policy = AccessPolicy([GrantChange(5, frozenset({"a"})), GrantChange(9, frozenset())])
    >>> [policy.live(p, "a") for p in (4, 6, 10)]
    [None, <Delivery.REDACTED: 'REDACTED'>, None]
    """

    def __init__(self, changes: Sequence[GrantChange]) -> None:
        self.changes = sorted(changes, key=lambda c: c.position)
        self._positions = [c.position for c in self.changes]

    @property
    def granted_ever(self) -> frozenset[str]:
        """Every event type any change of the grant named."""
        return frozenset().union(*(c.event_types for c in self.changes))

    def in_force(self, position: int) -> GrantChange | None:
        """The last change before ``position`` (None before the first grant)."""
        i = bisect.bisect_left(self._positions, position)
        return self.changes[i - 1] if i else None

    def next_live(self, after: int) -> int | None:
        """The first position after ``after`` at which an active grant is in force (None if
        none ever is): nothing before it can be delivered live, so the relay skips it.

        >>> AccessPolicy([GrantChange(5, frozenset({"a"}))]).next_live(0)
        6
        """
        change = self.in_force(after + 1)
        if change is not None and change.event_types:
            return after + 1
        later = (c for c in self.changes if c.position > after and c.event_types)
        first = next(later, None)
        return first.position + 1 if first else None

    def live(self, position: int, event_type: str) -> Delivery | None:
        change = self.in_force(position)
        if change is None or event_type not in change.event_types:
            return None
        return change.delivery

    def backfill(self, change: GrantChange) -> Backfill | None:
        """The history ``change`` sends, or None (start ``NOW``, or no newly added type)."""
        if change.start is not GrantStart.BEGINNING:
            return None
        before = self.in_force(change.position)
        new = change.event_types - (before.event_types if before else frozenset())
        if not new:
            return None
        return Backfill(change.position, new, change.delivery, self._narrowings(change, new))

    def _narrowings(self, change: GrantChange, types: frozenset[str]) -> tuple[BackfillScope, ...]:
        """The scopes the changes after ``change`` narrow its backfill to: once a hall has
        taken a type or personal data back, the rest of the backfill never has it again."""
        delivery, found = change.delivery, []
        for later in self.changes:
            if later.position <= change.position:
                continue
            narrower = (
                types & later.event_types,
                delivery if later.delivery is Delivery.FULL else Delivery.REDACTED,
            )
            if narrower != (types, delivery):
                types, delivery = narrower
                found.append(BackfillScope(later.position, types, delivery))
                if not types:
                    break  # cut: nothing more of it is ever sent
        return tuple(found)

    def backfills(self, after: int, upto: int) -> list[Backfill]:
        """The backfills of the changes at positions in ``(after, upto]``, in order."""
        found = (self.backfill(c) for c in self.changes if after < c.position <= upto)
        return [b for b in found if b is not None]

    def replay(
        self,
        position: int,
        event_type: str,
        upto: int,
        reached: Mapping[tuple[int, int], int],
    ) -> Delivery | None:
        """What the partner was last sent for the event at ``position`` once the relay had
        reached ``upto``: live delivery, or a later backfill (the latest decision wins).
        ``reached`` maps a narrowed backfill's (position, scope ``since``) to how far it got
        under that scope (its cursor); what no scope reached was never sent."""
        decided: Delivery | None = self.live(position, event_type)
        for backfill in self.backfills(position, upto):
            cursors = {since: p for (at, since), p in reached.items() if at == backfill.position}
            scope = backfill.sent_under(position, cursors)
            if scope is not None and event_type in scope.event_types:
                decided = scope.delivery
        return decided
