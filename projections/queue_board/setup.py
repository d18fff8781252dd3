"""What the hall, its queues, windows and staff do to the board (pure functions).

The hall gives the waiting-time target (``HallPolicies.waiting_target_minutes``, its default
until changed; each service day keeps the one in force when it started,
:class:`projections.queue_board.tickets.DayTargets`); queues give names and prefixes;
windows their status, suspension reason and the queues they serve; staff members their badge
and the window they are signed in at.
"""

from __future__ import annotations

from collections.abc import Sequence

from psycopg.types.json import Jsonb

from projections.queue_board.statements import Effect, Statement
from services.halls import Hall, HallPolicies
from services.places import Window
from services.queue import Queue
from services.staff import StaffMember

__all__ = ["DEFAULT_TARGET", "SETUP_EFFECTS"]

DEFAULT_TARGET = HallPolicies().waiting_target_minutes
"""The target of a hall that never changed it."""

_HALL = """
INSERT INTO queue_board_halls (tenant_id, waiting_target_minutes, position)
VALUES (%(t)s, %(target)s, %(p)s)
ON CONFLICT (tenant_id) DO UPDATE SET
    waiting_target_minutes = EXCLUDED.waiting_target_minutes, position = EXCLUDED.position
"""
_QUEUE = """
INSERT INTO queue_board_queues (tenant_id, code, queue_id, name, prefix, position)
VALUES (%(t)s, %(code)s, %(id)s, %(name)s, %(prefix)s, %(p)s)
"""
_QUEUE_CHANGED = """
UPDATE queue_board_queues SET name = %(name)s, prefix = %(prefix)s, position = %(p)s
WHERE tenant_id = %(t)s AND queue_id = %(id)s
"""
_WINDOW = """
INSERT INTO queue_board_windows (tenant_id, code, window_id, name, window_type, status,
                                 suspension_reason, queue_codes, position)
VALUES (%(t)s, %(code)s, %(id)s, %(name)s, %(type)s, 'CLOSED', '', %(queues)s, %(p)s)
"""
_WINDOW_CHANGED = """
UPDATE queue_board_windows SET name = %(name)s, window_type = %(type)s, queue_codes = %(queues)s,
    position = %(p)s
WHERE tenant_id = %(t)s AND window_id = %(id)s
"""
_WINDOW_STATUS = """
UPDATE queue_board_windows SET status = %(status)s, suspension_reason = %(reason)s,
    position = %(p)s
WHERE tenant_id = %(t)s AND window_id = %(id)s
"""
_STAFF = """
INSERT INTO queue_board_staff (tenant_id, staff_id, badge_number, on_duty_window, position)
VALUES (%(t)s, %(id)s, %(badge)s, NULL, %(p)s)
"""
_DUTY = """
UPDATE queue_board_staff SET on_duty_window = %(window)s, position = %(p)s
WHERE tenant_id = %(t)s AND staff_id = %(id)s
"""


def _one(sql: str, **params: object) -> Sequence[Statement]:
    return [(sql, params)]


def _policies(e: Hall.PoliciesChanged) -> Sequence[Statement]:
    target = e.policies.get("waiting_target_minutes", DEFAULT_TARGET)
    return _one(_HALL, target=int(target))


def _status(status: str, reason: str = "") -> Effect:
    return lambda e: _one(_WINDOW_STATUS, status=status, reason=reason)


SETUP_EFFECTS: dict[type, Effect] = {
    Hall.Registered: lambda e: _one(_HALL, target=DEFAULT_TARGET),
    Hall.PoliciesChanged: _policies,
    Queue.Configured: lambda e: _one(_QUEUE, code=e.code, name=e.name, prefix=e.prefix),
    Queue.Reconfigured: lambda e: _one(_QUEUE_CHANGED, name=e.name, prefix=e.prefix),
    Window.Configured: lambda e: _one(
        _WINDOW, code=e.code, name=e.name, type=e.window_type, queues=Jsonb(list(e.queue_codes))
    ),
    Window.Reconfigured: lambda e: _one(
        _WINDOW_CHANGED, name=e.name, type=e.window_type, queues=Jsonb(list(e.queue_codes))
    ),
    Window.Opened: _status("OPEN"),
    Window.Suspended: lambda e: _one(_WINDOW_STATUS, status="SUSPENDED", reason=e.reason),
    Window.Resumed: _status("OPEN"),
    Window.Closed: _status("CLOSED"),
    StaffMember.Onboarded: lambda e: _one(_STAFF, badge=e.badge_number),
    StaffMember.SignedIn: lambda e: _one(_DUTY, window=e.window_code),
    StaffMember.SignedOut: lambda e: _one(_DUTY, window=None),
    StaffMember.Offboarded: lambda e: _one(_DUTY, window=None),
}
"""Effects of the hall's configuration events."""
