"""Which events of a hall a partner receives, decided from the grant's history alone.

Pure: the relay reads the grant's events with their positions in the hall's log and asks
this policy, position by position. The rules:

- *live*: an event at position ``p`` is delivered when the grant change in force at ``p``
  (the last one before ``p``) is active and names the event's type; personal data is
  redacted unless that change includes it. A revocation at ``r`` stops delivery of every
  event after ``r``.
- *backfill*: a change with start ``BEGINNING`` also delivers the hall's earlier events
  (positions before the change) of the types it newly adds, unless a revocation follows
  it: from then on nothing more of that backfill is sent (its cursor keeps how far it got).
  A later re-grant from the beginning backfills the whole history again.
- *replay*: re-sends what the partner was sent for a position, the latest decision winning.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

from services.partners.domain import GrantStart

__all__ = ["AccessPolicy", "Backfill", "Delivery", "GrantChange"]


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
    """Empty for a revocation."""
    personal_data: bool = False
    start: GrantStart = GrantStart.NOW

    @property
    def delivery(self) -> Delivery:
        return Delivery.FULL if self.personal_data else Delivery.REDACTED


@dataclass(frozen=True)
class Backfill:
    """History to send when the relay reaches a grant change that starts at the beginning."""

    position: int
    """The change's position: the backfill covers positions ``1 .. position - 1``."""
    event_types: frozenset[str]
    delivery: Delivery
    revoked_at: int | None = None
    """The first revocation after the change: the part of the backfill not delivered when
    the relay reads it is never sent (a revocation takes back what was not yet given)."""


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
        later = (c for c in self.changes if c.position > change.position)
        revoked_at = next((c.position for c in later if not c.event_types), None)
        return Backfill(change.position, new, change.delivery, revoked_at)

    def backfills(self, after: int, upto: int) -> list[Backfill]:
        """The backfills of the changes at positions in ``(after, upto]``, in order."""
        found = (self.backfill(c) for c in self.changes if after < c.position <= upto)
        return [b for b in found if b is not None]

    def replay(
        self, position: int, event_type: str, upto: int, reached: Mapping[int, int]
    ) -> Delivery | None:
        """What the partner was last sent for the event at ``position`` once the relay had
        reached ``upto``: live delivery, or a later backfill (the latest decision wins).
        ``reached`` maps a revoked backfill's position to how far it got before the relay
        saw the revocation (its cursor); what it did not reach was never sent."""
        decided: tuple[int, Delivery] | None = None
        change = self.in_force(position)
        live = self.live(position, event_type)
        if live is not None and change is not None:
            decided = (change.position, live)
        for backfill in self.backfills(position, upto):
            cut = backfill.revoked_at is not None and position > reached.get(backfill.position, 0)
            if event_type in backfill.event_types and not cut:
                decided = (backfill.position, backfill.delivery)
        return decided[1] if decided else None
