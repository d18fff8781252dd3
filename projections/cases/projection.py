"""Projection "case_register": the 帮办代办 case register and each case's history.

Every value comes from the events: the due date (限时办结) is the one ``CaseAccepted`` fixed
and ``MaterialsSupplemented`` / ``CaseResumed`` moved; a case is overdue only when an event
says so: ``CaseOverdue`` (the deadline scheduler found the due date passed while the case was
open, its clock running) until a stopped clock moves the due date, or a completion after
its due date. Nothing is compared with today.

The applicant's name is the only personal field kept (staff need it); the runtime's batches
open it from the sealed events. It is sealed with the applicant's key (a case always names its
applicant), so ``PersonalDataErased`` of that applicant blanks it with the erased marker
(``[erased]``, see ``docs/audit.md``), which is also what a rebuild after the erasure reads
from the events: live and rebuilt rows stay identical. No other erasure touches the register.
"""

from __future__ import annotations

from functools import singledispatchmethod
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from projections.cases.changes import record_change
from projections.cases.effects import EFFECTS
from projections.runtime import Projection
from services.cases.domain import events
from services.privacy import ERASED
from services.privacy.domain import ErasureRequest
from services.shared.working_days import local_date

__all__ = ["CaseRegisterProjection"]

_REQUESTED = """
INSERT INTO case_register (
    tenant_id, case_id, requested_position, mode, item_code, matter, channel, applicant_id,
    applicant_name, status, required_materials, received_materials, missing_materials,
    notice_materials, outstanding_materials, notice_stopped_clock, clock_stopped,
    clock_stopped_working_days, overdue, follow_up_calls, requested_at, requested_on,
    updated_at, version, position)
VALUES (%(t)s, %(id)s, %(p)s, %(mode)s, %(item)s, %(matter)s, %(channel)s, %(applicant)s,
        %(name)s, 'REQUESTED', '[]', '[]', '[]', '[]', '[]', false, false, 0, false, 0,
        %(at)s, %(on)s, %(at)s, %(v)s, %(p)s)
"""
_HISTORY = """
INSERT INTO case_history (tenant_id, case_id, version, event, status, actor, at, details,
                          position)
VALUES (%s, %s, %s, 'CaseRequested', 'REQUESTED', %s, %s, %s, %s)
"""
_ERASE = """
UPDATE case_register SET applicant_name = %s, position = %s
WHERE tenant_id = %s AND applicant_id = %s
"""


class CaseRegisterProjection(Projection):
    """Keeps ``case_register`` and ``case_history`` in step with the halls' cases."""

    name = "case_register"
    tables = ("case_register", "case_history")
    version = 2
    """2: a case resumed (续办) or supplemented (补正) with its moved due date already past
    stays overdue; an erasure blanks only the erased applicant's cases."""

    @singledispatchmethod
    def apply(self, event: Any, conn: psycopg.Connection, tenant_id: str, position: int) -> None:
        """Other events change nothing here."""

    @apply.register
    def _(
        self, event: events.Requested, conn: psycopg.Connection, tenant_id: str, position: int
    ) -> None:
        params = {
            "t": tenant_id,
            "id": event.originator_id,
            "p": position,
            "mode": event.mode,
            "item": event.item_code,
            "matter": event.matter,
            "channel": event.channel,
            "applicant": event.applicant_id,
            "name": event.applicant_name,
            "at": event.timestamp,
            "on": local_date(event.timestamp),
            "v": event.originator_version,
        }
        conn.execute(_REQUESTED, params, prepare=True)
        details = {"mode": event.mode, "item_code": event.item_code, "channel": event.channel}
        conn.execute(
            _HISTORY,
            (
                tenant_id,
                event.originator_id,
                event.originator_version,
                event.actor,
                event.timestamp,
                Jsonb(details),
                position,
            ),
            prepare=True,
        )

    def _changed(self, event: Any, conn: psycopg.Connection, tenant_id: str, position: int) -> None:
        """Every event after the request: its :data:`~projections.cases.effects.EFFECTS`."""
        change = EFFECTS[type(event)](event)
        record_change(
            conn,
            tenant_id,
            position,
            case_id=event.originator_id,
            version=event.originator_version,
            at=event.timestamp,
            actor=event.actor,
            event=change.event,
            changes=change.columns,
            details=change.details,
        )

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
        """个人信息删除: blank the applicant's name in the cases of the erased applicant.

        Only rows whose name was sealed with the destroyed key: the subject's own cases.
        ``record:<case id>`` never holds a case's name (erasures of it were refused since;
        older ones in a log destroyed nothing and leave the name, as the events show it).
        """
        params = (ERASED, position, tenant_id, event.subject_id)
        conn.execute(_ERASE, params, prepare=True)
