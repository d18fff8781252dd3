"""Projection "hall_setup": a hall's staff roster, service places, queues and windows.

One row per staff member, place, queue and window, kept as its events leave it (the same
values the aggregate holds). Every statement is a single-row write found by the record's id,
so a batch costs no round trip per event. A staff member's name is the only personal field:
it is sealed for the member's own record (``record:<staff id>``, docs/adr/0002), so
``PersonalDataErased`` blanks the names of the staff rows among its ``record_ids``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import singledispatchmethod
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from projections.runtime.projection import Projection
from services.places.domain import ServicePlace, Window, WindowStatus
from services.privacy import ERASED, ErasureRequest
from services.queue.domain import Queue
from services.staff.domain import StaffMember

__all__ = ["HallSetupProjection"]

_STAFF = """
INSERT INTO hall_setup_staff (tenant_id, badge_number, staff_id, name, role, skills, posts,
                              on_duty_window, trainings, onboarded_at, updated_at, position)
VALUES (%(t)s, %(badge)s, %(id)s, %(name)s, %(role)s, %(skills)s, '{}', '', '[]', %(at)s,
        %(at)s, %(p)s)
"""
_STAFF_CHANGE = "UPDATE hall_setup_staff SET {}, updated_at = %(at)s, position = %(p)s"
_STAFF_WHERE = " WHERE tenant_id = %(t)s AND staff_id = %(id)s"
_ERASE = """
UPDATE hall_setup_staff SET name = %(erased)s, position = %(p)s
WHERE tenant_id = %(t)s AND staff_id::text = ANY(%(records)s)
"""
_PLACE = """
INSERT INTO hall_setup_places (tenant_id, code, place_id, name, place_type, address,
                               registered_at, position)
VALUES (%(t)s, %(code)s, %(id)s, %(name)s, %(type)s, %(address)s, %(at)s, %(p)s)
"""
_QUEUE = """
INSERT INTO hall_setup_queues (tenant_id, code, queue_id, name, prefix, item_codes,
                               configured_at, updated_at, position)
VALUES (%(t)s, %(code)s, %(id)s, %(name)s, %(prefix)s, %(items)s, %(at)s, %(at)s, %(p)s)
"""
_QUEUE_CHANGED = """
UPDATE hall_setup_queues SET name = %(name)s, prefix = %(prefix)s, item_codes = %(items)s,
    updated_at = %(at)s, position = %(p)s
WHERE tenant_id = %(t)s AND queue_id = %(id)s
"""
_WINDOW = """
INSERT INTO hall_setup_windows (tenant_id, code, window_id, name, window_type, place_code,
                                item_codes, queue_codes, status, suspension_reason,
                                configured_at, updated_at, position)
VALUES (%(t)s, %(code)s, %(id)s, %(name)s, %(type)s, %(place)s, %(items)s, %(queues)s,
        'CLOSED', '', %(at)s, %(at)s, %(p)s)
"""
_WINDOW_CHANGED = """
UPDATE hall_setup_windows SET name = %(name)s, window_type = %(type)s, item_codes = %(items)s,
    queue_codes = %(queues)s, updated_at = %(at)s, position = %(p)s
WHERE tenant_id = %(t)s AND window_id = %(id)s
"""
_WINDOW_STATUS = """
UPDATE hall_setup_windows SET status = %(status)s, suspension_reason = %(reason)s,
    updated_at = %(at)s, position = %(p)s
WHERE tenant_id = %(t)s AND window_id = %(id)s
"""


def _staff(assignments: str) -> str:
    """An update of one staff row (``assignments``: the changed columns)."""
    return _STAFF_CHANGE.format(assignments) + _STAFF_WHERE


Statement = tuple[str, dict[str, Any]]
"""SQL and its parameters, without those every statement gets (``t``, ``id``, ``at``, ``p``)."""

_TRAINING = """trainings = trainings || jsonb_build_array(jsonb_build_object(
    'course', %(course)s::text, 'hours', %(hours)s::float8,
    'completed_on', %(completed_on)s::text, 'certificate', %(certificate)s::text))"""


def _status(status: WindowStatus) -> Callable[[Any], Statement]:
    return lambda e: (_WINDOW_STATUS, {"status": status.value, "reason": ""})


EFFECTS: dict[type, Callable[[Any], Statement]] = {
    StaffMember.Onboarded: lambda e: (
        _STAFF,
        {"badge": e.badge_number, "name": e.name, "role": e.role, "skills": Jsonb(e.skills)},
    ),
    StaffMember.AssignedToWindow: lambda e: (
        _staff("posts = posts || jsonb_build_object(%(window)s::text, %(post)s::text)"),
        {"window": e.window_code, "post": e.post},
    ),
    StaffMember.UnassignedFromWindow: lambda e: (
        _staff("posts = posts - %(window)s::text"),
        {"window": e.window_code},
    ),
    StaffMember.SignedIn: lambda e: (
        _staff("on_duty_window = %(window)s"),
        {"window": e.window_code},
    ),
    StaffMember.SignedOut: lambda e: (_staff("on_duty_window = ''"), {}),
    StaffMember.TrainingRecorded: lambda e: (
        _staff(_TRAINING),
        {
            "course": e.course,
            "hours": float(e.hours),
            "completed_on": e.completed_on,
            "certificate": e.certificate,
        },
    ),
    StaffMember.Offboarded: lambda e: (
        _staff("posts = '{}', on_duty_window = '', offboarded_at = %(gone)s"),
        {"gone": e.offboarded_at},
    ),
    ServicePlace.Registered: lambda e: (
        _PLACE,
        {"code": e.code, "name": e.name, "type": e.place_type, "address": e.address},
    ),
    Queue.Configured: lambda e: (
        _QUEUE,
        {"code": e.code, "name": e.name, "prefix": e.prefix, "items": Jsonb(e.item_codes)},
    ),
    Queue.Reconfigured: lambda e: (
        _QUEUE_CHANGED,
        {"name": e.name, "prefix": e.prefix, "items": Jsonb(e.item_codes)},
    ),
    Window.Configured: lambda e: (
        _WINDOW,
        {
            "code": e.code,
            "name": e.name,
            "type": e.window_type,
            "place": e.place_code,
            "items": Jsonb(e.item_codes),
            "queues": Jsonb(e.queue_codes),
        },
    ),
    Window.Reconfigured: lambda e: (
        _WINDOW_CHANGED,
        {
            "name": e.name,
            "type": e.window_type,
            "items": Jsonb(e.item_codes),
            "queues": Jsonb(e.queue_codes),
        },
    ),
    Window.Opened: _status(WindowStatus.OPEN),
    Window.Suspended: lambda e: (
        _WINDOW_STATUS,
        {"status": WindowStatus.SUSPENDED.value, "reason": e.reason},
    ),
    Window.Resumed: _status(WindowStatus.OPEN),
    Window.Closed: _status(WindowStatus.CLOSED),
}
"""What each configuration event writes: the values the aggregate's own handler sets."""


class HallSetupProjection(Projection):
    """Keeps ``hall_setup_*`` in step with the halls' staff, places, queues and windows."""

    name = "hall_setup"
    tables = ("hall_setup_staff", "hall_setup_places", "hall_setup_queues", "hall_setup_windows")

    @singledispatchmethod
    def apply(self, event: Any, conn: psycopg.Connection, tenant_id: str, position: int) -> None:
        """Other events change nothing here."""

    def _changed(self, event: Any, conn: psycopg.Connection, tenant_id: str, position: int) -> None:
        """A configuration event: its :data:`EFFECTS`."""
        sql, params = EFFECTS[type(event)](event)
        params |= {"t": tenant_id, "id": event.originator_id, "at": event.timestamp, "p": position}
        conn.execute(sql, params, prepare=True)

    for _event_class in EFFECTS:
        apply.register(_event_class, _changed)
    del _event_class

    @apply.register
    def _(
        self,
        event: ErasureRequest.PersonalDataErased,
        conn: psycopg.Connection,
        tenant_id: str,
        position: int,
    ) -> None:
        """个人信息删除: a staff member's name is sealed for their own record, so the names
        of the staff rows among ``record_ids`` (never rows picked by ``subject_id``'s text)."""
        params = {"erased": ERASED, "p": position, "t": tenant_id, "records": event.record_ids}
        conn.execute(_ERASE, params, prepare=True)
