"""The call rule and the missed-number policy as pure functions over waiting lines.

Each queue day keeps its **line**: the waiting tickets in order. New tickets join at the end;
a transferred ticket goes to the front (behind earlier transfers), since its holder already
waited once; a missed ticket (过号) goes by the hall's :class:`MissedNumberPolicy`.

A window calls from the queues it serves (``lines``, in the window's order):

* ``LONGEST_WAITING``: each queue offers the head of its line; the window calls the offered
  ticket waiting longest (earliest ``waiting_since``; ties go to the window's first queue).
* ``PRIORITY_THEN_LONGEST_WAITING``: each queue offers its first priority ticket if it has
  one, else its head; priority tickets go before all others, then the longest waiting.
  A priority ticket that was missed (过号, ``misses`` > 0) and put back by the REQUEUE or
  DEFER policy no longer goes first: it waits at the place its policy gave it, offered only
  as the head of its line, like any other ticket (else the policy would not hold for it: it
  would be called again at once).

>>> from dataclasses import replace
>>> from datetime import datetime, UTC
>>> from services.queue.domain.values import Channel, PriorityGroup
>>> def t(n, minute, group=PriorityGroup.NONE):
...     at = datetime(2026, 3, 2, 1, minute, tzinfo=UTC)
...     return Ticket("Q", "2026-03-02", n, f"A{n:03d}", Channel.KIOSK, group, "", "", at, at)
>>> q1, q2 = [t(1, 5), t(2, 6, PriorityGroup.SENIOR)], [t(7, 1)]
>>> choose_next([q1, q2], CallRule.LONGEST_WAITING).number         # q2's head came first
7
>>> choose_next([q1, q2], CallRule.PRIORITY_THEN_LONGEST_WAITING).number  # the senior
2
>>> q1[1] = replace(q1[1], misses=1)                  # missed once, put back in the line
>>> choose_next([q1, q2], CallRule.PRIORITY_THEN_LONGEST_WAITING).number  # q2's head again
7
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from services.halls.policies import CallRule, MissedNumberPolicy
from services.queue.domain.ticket import Ticket

__all__ = [
    "call_order",
    "choose_next",
    "goes_first",
    "line_head",
    "rejoin_index",
    "transfer_index",
]


def goes_first(ticket: Ticket, rule: CallRule) -> bool:
    """Whether ``ticket`` goes before the others under ``rule``: a priority ticket under
    PRIORITY_THEN_LONGEST_WAITING, unless it was missed (过号) and put back in the line."""
    return (
        rule is CallRule.PRIORITY_THEN_LONGEST_WAITING and ticket.is_priority and not ticket.misses
    )


def line_head(line: Sequence[Ticket], rule: CallRule) -> Ticket | None:
    """The ticket a queue offers to a window: ``line`` holds the tickets that window may call."""
    for ticket in line:
        if goes_first(ticket, rule):
            return ticket
    return line[0] if line else None


def call_order(line: Sequence[Ticket], rule: CallRule) -> list[Ticket]:
    """The order in which a queue offers ``line``'s tickets, one :func:`line_head` after
    another: under PRIORITY_THEN_LONGEST_WAITING the tickets that go first (priority, never
    missed), in line order, then the others in line order; otherwise the line itself. A
    window serving several queues takes its next ticket from the heads of their orders
    (:func:`choose_next`), so tickets of other queues may be called in between.

    >>> from datetime import datetime, UTC
    >>> from services.queue.domain.values import Channel, PriorityGroup
    >>> at = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    >>> def t(n, group=PriorityGroup.NONE):
    ...     return Ticket("Q", "2026-03-02", n, f"A{n:03d}", Channel.KIOSK, group, "", "", at, at)
    >>> line = [t(1), t(2), t(3, PriorityGroup.SENIOR), t(4)]
    >>> [x.number for x in call_order(line, CallRule.PRIORITY_THEN_LONGEST_WAITING)]
    [3, 1, 2, 4]
    >>> [x.number for x in call_order(line, CallRule.LONGEST_WAITING)]
    [1, 2, 3, 4]
    """
    first = [ticket for ticket in line if goes_first(ticket, rule)]
    return first + [ticket for ticket in line if not goes_first(ticket, rule)]


def choose_next(lines: Sequence[Sequence[Ticket]], rule: CallRule) -> Ticket | None:
    """The ticket a window calls next among its queues' lines (see the module docstring)."""
    best: tuple[tuple[bool, datetime, int], Ticket] | None = None
    for index, line in enumerate(lines):
        head = line_head(line, rule)
        if head is None:
            continue
        key = (not goes_first(head, rule), head.waiting_since, index)
        if best is None or key < best[0]:
            best = (key, head)
    return best[1] if best else None


def rejoin_index(policy: MissedNumberPolicy, line_length: int, defer_places: int) -> int | None:
    """Where a missed ticket rejoins a line of ``line_length``: ``None`` when it ends (KEEP).

    >>> [rejoin_index(p, 5, 3) for p in MissedNumberPolicy]
    [None, 5, 3]
    >>> rejoin_index(MissedNumberPolicy.DEFER, 1, 3)   # fewer waiting than places: the end
    1
    """
    if policy is MissedNumberPolicy.KEEP:
        return None
    if policy is MissedNumberPolicy.REQUEUE:
        return line_length
    return min(max(defer_places, 0), line_length)


def transfer_index(line: Sequence[Ticket]) -> int:
    """Where a transferred ticket joins: in front of every ticket that was not transferred."""
    index = 0
    while index < len(line) and line[index].transferred_in:
        index += 1
    return index
