"""What a queue day's events do to the board's tickets (pure functions).

Every ticket is a row with the times its events carried (the queue application's clock):
issued, first called, last called, service started and ended. A ticket called to a window
also becomes that window's called number. The ticket events name the day only by its
aggregate id, so rows find the queue and the service day through ``queue_board_days``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from projections.queue_board.statements import Effect, Statement
from services.halls import MissedNumberPolicy
from services.queue import QueueDay

__all__ = ["TICKET_EFFECTS"]

_WHERE = "WHERE tenant_id = %(t)s AND day_id = %(id)s AND number = %(number)s"

_DAY = """
INSERT INTO queue_board_days (tenant_id, day_id, queue_code, service_day, prefix, reset_at,
                              position)
VALUES (%(t)s, %(id)s, %(queue)s, %(day)s, %(prefix)s, NULL, %(p)s)
"""
_ISSUED = """
INSERT INTO queue_board_tickets (tenant_id, day_id, number, queue_code, service_day,
    display_number, channel, status, window_code, staff_badge, issued_at, waiting_since,
    recalls, misses, position)
SELECT %(t)s, %(id)s, %(number)s, d.queue_code, d.service_day, %(display)s, %(channel)s,
       'WAITING', '', '', %(issued_at)s, %(waiting_since)s, 0, 0, %(p)s
FROM queue_board_days d WHERE d.tenant_id = %(t)s AND d.day_id = %(id)s
"""
_CALLED = f"""
UPDATE queue_board_tickets SET status = 'CALLED', window_code = %(window)s,
    staff_badge = %(badge)s, called_at = %(at)s,
    first_called_at = COALESCE(first_called_at, %(at)s), position = %(p)s
{_WHERE}
"""
_WINDOW_CALLED = """
UPDATE queue_board_windows SET called_day_id = %(id)s, called_number = %(number)s,
    called_at = %(at)s, position = %(p)s
WHERE tenant_id = %(t)s AND code = %(window)s
"""
_RECALLED = f"""
UPDATE queue_board_tickets SET called_at = %(at)s, recalls = recalls + 1, position = %(p)s
{_WHERE}
"""
_STARTED = f"""
UPDATE queue_board_tickets SET status = 'SERVING', staff_badge = %(badge)s,
    started_at = %(at)s, position = %(p)s
{_WHERE}
"""
_ENDED = f"""
UPDATE queue_board_tickets SET status = 'ENDED', outcome = %(outcome)s, ended_at = %(at)s,
    position = %(p)s
{_WHERE}
"""
_NO_SHOW = f"""
UPDATE queue_board_tickets SET status = 'NO_SHOW', ended_at = %(at)s, misses = misses + 1,
    position = %(p)s
{_WHERE}
"""
_REJOINED = f"""
UPDATE queue_board_tickets SET status = 'WAITING', misses = misses + 1,
    waiting_since = COALESCE(%(since)s, waiting_since), position = %(p)s
{_WHERE}
"""
_TRANSFERRED = f"""
UPDATE queue_board_tickets SET
    status = CASE WHEN queue_code = %(to_queue)s THEN 'WAITING' ELSE 'TRANSFERRED' END,
    ended_at = CASE WHEN queue_code = %(to_queue)s THEN NULL ELSE %(at)s END,
    position = %(p)s
{_WHERE}
"""
_REMOVED = f"""
UPDATE queue_board_tickets SET status = 'REMOVED', ended_at = %(at)s, position = %(p)s
{_WHERE}
"""
_RESET_TICKETS = """
UPDATE queue_board_tickets SET status = 'REMOVED', ended_at = %(at)s, position = %(p)s
WHERE tenant_id = %(t)s AND day_id = %(id)s AND number = ANY(%(numbers)s)
"""
_RESET_DAY = """
UPDATE queue_board_days SET reset_at = %(at)s, position = %(p)s
WHERE tenant_id = %(t)s AND day_id = %(id)s
"""


def _started(e: QueueDay.Started) -> Sequence[Statement]:
    day = date.fromisoformat(e.service_day)
    return [(_DAY, {"queue": e.queue_code, "day": day, "prefix": e.prefix})]


def _issued(e: QueueDay.TicketIssued) -> Sequence[Statement]:
    params = {
        "number": e.number,
        "display": e.display_number,
        "channel": e.channel,
        "issued_at": e.issued_at,
        "waiting_since": e.waiting_since,
    }
    return [(_ISSUED, params)]


def _called(e: QueueDay.TicketCalled) -> Sequence[Statement]:
    params = {"number": e.number, "window": e.window_code, "badge": e.staff_badge}
    params["at"] = e.called_at
    return [(_CALLED, params), (_WINDOW_CALLED, params)]


def _recalled(e: QueueDay.TicketRecalled) -> Sequence[Statement]:
    params = {"number": e.number, "window": e.window_code, "at": e.recalled_at}
    return [(_RECALLED, params), (_WINDOW_CALLED, params)]


def _no_show(e: QueueDay.TicketMarkedNoShow) -> Sequence[Statement]:
    """过号: KEEP ends the ticket; REQUEUE and DEFER put it back in the line (REQUEUE: it
    waits again from the moment it was missed)."""
    policy = MissedNumberPolicy(e.policy)
    if policy is MissedNumberPolicy.KEEP:
        return [(_NO_SHOW, {"number": e.number, "at": e.marked_at})]
    since = e.marked_at if policy is MissedNumberPolicy.REQUEUE else None
    return [(_REJOINED, {"number": e.number, "since": since})]


TICKET_EFFECTS: dict[type, Effect] = {
    QueueDay.Started: _started,
    QueueDay.TicketIssued: _issued,
    QueueDay.TicketCalled: _called,
    QueueDay.TicketRecalled: _recalled,
    QueueDay.ServiceStarted: lambda e: [
        (_STARTED, {"number": e.number, "badge": e.staff_badge, "at": e.started_at})
    ],
    QueueDay.ServiceEnded: lambda e: [
        (_ENDED, {"number": e.number, "outcome": e.outcome, "at": e.ended_at})
    ],
    QueueDay.TicketMarkedNoShow: _no_show,
    QueueDay.TicketTransferred: lambda e: [
        (_TRANSFERRED, {"number": e.number, "to_queue": e.to_queue_code, "at": e.transferred_at})
    ],
    QueueDay.TicketRemoved: lambda e: [(_REMOVED, {"number": e.number, "at": e.removed_at})],
    QueueDay.QueueReset: lambda e: [
        (_RESET_TICKETS, {"numbers": list(e.removed_numbers), "at": e.reset_at}),
        (_RESET_DAY, {"at": e.reset_at}),
    ],
}
"""Effects of the queue days' events."""
