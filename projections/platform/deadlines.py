"""Projection "deadlines": every open deadline of the halls' records, met or missed.

One row per (context, record, deadline kind). Rows follow the events' own due dates; the
``overdue_on`` and ``missed_on`` days come only from the ``…Overdue`` events (recorded by the
deadline scheduler, services/scheduler, or by a complaint's late extension), never from
comparing dates with today. ``overdue_on``: the miss of the current due date is recorded (the
scheduler looks no more); ``missed_on``: a due date of the deadline's round was missed, which
a complaint's extension (``ComplaintDeadlineExtended``) does not undo, as in the complaint
register. The closing and restarting events say so too: a deadline closed late (``on_time``
false) missed its due date on the day it closed, even if no scheduler round recorded it; a
case clock restarted (续办, 补正) with its moved due date already past on the restart day
keeps the round's miss (or misses on that day). Any other new due date (a reopening, a case's
clock running again in time) starts afresh. A withdrawn rectification (撤销: its bad rating
excluded on appeal) closes its open deadline and marks all its rows ``withdrawn``: they keep
their facts, but the counts leave them out (``deadline_counts``).
A context adds its deadlines with handlers here (or keeps them in its own register and
registers a deadline source that queries that instead).
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache, cached_property, singledispatchmethod
from typing import Any, TypeAlias, cast
from uuid import UUID

import psycopg
from eventsourcing.utils import resolve_topic

from projections.runtime import Batch, Projection, json_array
from services.cases.domain import events
from services.complaints.domain import Complaint
from services.rectifications.domain import Rectification
from services.rectifications.values import DeadlineKind
from services.shared.working_days import local_date

__all__ = ["CASES", "COMPLAINTS", "COMPLETION", "RECTIFICATIONS", "REPLY", "DeadlinesProjection"]

RECTIFICATIONS = "rectifications"
"""The ``context`` of rectification deadlines (整改: verification call, ledger due date)."""
CASES = "cases"
"""The ``context`` of 帮办代办 case deadlines (限时办结)."""
COMPLAINTS = "complaints"
"""The ``context`` of complaint deadlines (the reply, 意见反馈)."""
COMPLETION = "COMPLETION"
"""A case's one deadline: 办结 by its due date; closed while the case clock is stopped."""
REPLY = "REPLY"
"""A complaint's one deadline: the reply by its due date."""

_KNOWN = """
SELECT d.context, d.record_id, d.deadline, d.due_on, d.opened_at, d.closed_at, d.met,
       d.overdue_on, d.missed_on, d.withdrawn, d.position
FROM platform_deadlines d
WHERE d.tenant_id = %(t)s AND (d.context, d.record_id) IN (
    SELECT * FROM unnest(%(contexts)s::text[], %(records)s::uuid[])
)
"""
"""The deadlines of the records the batch has events of, as earlier batches left them (found
by key: the records are the ones of the batch's rows, not searched for in the log again)."""
_WRITE = """
INSERT INTO platform_deadlines AS d (tenant_id, context, record_id, deadline, due_on, opened_at,
                                     closed_at, met, overdue_on, missed_on, withdrawn, position)
SELECT tenant_id, context, record_id, deadline, due_on, opened_at, closed_at, met, overdue_on,
       missed_on, withdrawn, position
FROM json_populate_recordset(NULL::platform_deadlines, %s::json)
ON CONFLICT (tenant_id, context, record_id, deadline) DO UPDATE SET
    due_on = EXCLUDED.due_on, opened_at = EXCLUDED.opened_at, closed_at = EXCLUDED.closed_at,
    met = EXCLUDED.met, overdue_on = EXCLUDED.overdue_on, missed_on = EXCLUDED.missed_on,
    withdrawn = EXCLUDED.withdrawn, position = EXCLUDED.position
"""
_SERVICES = {
    "services.rectifications.": RECTIFICATIONS,
    "services.cases.": CASES,
    "services.complaints.": COMPLAINTS,
}


@cache
def _context_of(topic: str) -> str:
    """The ``context`` of the deadlines events of ``topic`` change (by their service)."""
    module = resolve_topic(topic).__module__
    for prefix, context in _SERVICES.items():
        if module.startswith(prefix):
            return context
    raise ValueError(f"deadlines: no context for events of {topic!r}")


_COLUMNS = (
    "due_on",
    "opened_at",
    "closed_at",
    "met",
    "overdue_on",
    "missed_on",
    "withdrawn",
    "position",
)

Key: TypeAlias = tuple[str, UUID, str]
"""(context, record id, deadline kind)."""


class DeadlineFold:
    """A batch's deadlines, changed in memory and written in one statement at its end.

    Starts from the rows earlier batches left (``known``) and changes them the way one
    statement per event would:

    - ``open`` (re)opens a deadline; the recorded miss of the due date (``overdue_on``) stays
      while the due date is the same (the aggregates record one ``…Overdue`` per due date);
      ``missed_on`` (the round missed a due date) stays as well, and through an extension
      (``extension=True``) also when the due date moves; a clock restarted on
      ``restarted_on`` with the due date already before it keeps ``missed_on`` too, or
      misses on ``restarted_on`` (the case is behind its moved due date as it resumes); any
      other new due date starts a new round;
    - ``close`` closes an open deadline (met, missed or neither): not met when the round
      missed a due date before, even if it closed by the extended one; closed late
      (``met=False``) with no miss recorded, the round missed on the day it closed;
    - ``overdue`` records the miss of the deadline's current due date (``overdue_on``; and
      ``missed_on``, unless the round missed an earlier one already);
    - ``withdraw`` marks every deadline of a withdrawn record ``withdrawn`` (closing the open
      one, neither met nor missed); the facts of the rows stay, the counts leave them out.
    """

    def __init__(self, tenant_id: str, known: list[tuple[Any, ...]]) -> None:
        self.tenant_id = tenant_id
        self.rows: dict[Key, dict[str, Any]] = {
            (context, record_id, deadline): dict(zip(_COLUMNS, rest, strict=True))
            for context, record_id, deadline, *rest in known
        }
        self.changed: set[Key] = set()

    def open(
        self,
        key: Key,
        due_on: date,
        at: datetime,
        position: int,
        *,
        extension: bool = False,
        restarted_on: date | None = None,
    ) -> None:
        old = self.rows.get(key)
        kept = old["overdue_on"] if old is not None and old["due_on"] == due_on else None
        behind = restarted_on is not None and due_on < restarted_on
        missed = old["missed_on"] if old is not None and (extension or behind) else None
        if behind and missed is None and kept is None:
            missed = restarted_on
        self.rows[key] = {
            "due_on": due_on,
            "opened_at": at,
            "closed_at": None,
            "met": None,
            "overdue_on": kept,
            "missed_on": missed or kept,
            "withdrawn": False,
            "position": position,
        }
        self.changed.add(key)

    def close(self, key: Key, at: datetime, met: bool | None, position: int) -> None:
        row = self.rows.get(key)
        if row is not None and row["closed_at"] is None:
            if met and row["missed_on"] is not None:
                met = False  # closed by an extended due date, after missing an earlier one
            if met is False and row["missed_on"] is None:
                row["missed_on"] = local_date(at)  # late, before any round recorded the miss
            row.update(closed_at=at, met=met, position=position)
            self.changed.add(key)

    def overdue(self, key: Key, due_on: date, detected_on: date, position: int) -> None:
        row = self.rows.get(key)
        if row is not None and row["due_on"] == due_on:
            missed = row["missed_on"] or detected_on
            row.update(overdue_on=detected_on, missed_on=missed, position=position)
            self.changed.add(key)

    def withdraw(self, context: str, record_id: UUID, at: datetime, position: int) -> None:
        for key, row in self.rows.items():
            if key[:2] == (context, record_id) and not row["withdrawn"]:
                if row["closed_at"] is None:
                    row.update(closed_at=at, met=None)
                row.update(withdrawn=True, position=position)
                self.changed.add(key)

    def write(self, conn: psycopg.Connection[Any]) -> None:
        if not self.changed:
            return
        rows = [
            {
                "tenant_id": self.tenant_id,
                "context": key[0],
                "record_id": key[1],
                "deadline": key[2],
                **self.rows[key],
            }
            for key in sorted(self.changed, key=str)
        ]
        conn.execute(_WRITE, [json_array(rows)], prepare=True)


def _open(
    fold: Any,
    record_id: UUID,
    deadline: str,
    due_on: str,
    at: datetime,
    position: int,
    context: str = RECTIFICATIONS,
    *,
    extension: bool = False,
    restarted_on: str | None = None,
) -> None:
    cast(DeadlineFold, fold).open(
        (context, record_id, deadline),
        date.fromisoformat(due_on),
        at,
        position,
        extension=extension,
        restarted_on=None if restarted_on is None else date.fromisoformat(restarted_on),
    )


def _close(
    fold: Any,
    record_id: UUID,
    deadline: str,
    at: datetime,
    met: bool | None,
    position: int,
    context: str = RECTIFICATIONS,
) -> None:
    cast(DeadlineFold, fold).close((context, record_id, deadline), at, met, position)


def _overdue(fold: Any, context: str, event: Any, deadline: str, position: int) -> None:
    """The scheduler recorded the miss of ``event.due_on`` on ``event.detected_on``."""
    cast(DeadlineFold, fold).overdue(
        (context, event.originator_id, deadline),
        date.fromisoformat(event.due_on),
        date.fromisoformat(event.detected_on),
        position,
    )


class DeadlinesProjection(Projection):
    """Keeps ``platform_deadlines`` in step with the records' deadlines.

    The handlers change a :class:`DeadlineFold` (passed as their ``conn``); each batch reads
    the rows of its records once (:meth:`prefetch`) and writes the changed ones once.
    """

    name = "deadlines"
    tables = ("platform_deadlines",)
    version = 2
    """2: ``missed_on`` kept after a complaint's extension (``sql/0003``), a round closed
    late or restarted behind its due date missed (``sql/0004``)."""
    reader_indexes = ("platform_deadlines_open_due",)

    def prefetch(self, conn: psycopg.Connection[Any], batch: Batch) -> None:
        batch.prefetched = conn.execute(_KNOWN, self._known_params(batch), prepare=True)

    def apply_batch(self, conn: psycopg.Connection[Any], batch: Batch) -> None:
        cursor = batch.prefetched
        if cursor is None:
            cursor = conn.execute(_KNOWN, self._known_params(batch), prepare=True)
        fold = DeadlineFold(batch.tenant_id, cursor.fetchall())
        apply, as_conn = self.apply, cast(psycopg.Connection[Any], fold)
        for position, event in batch.events():
            apply(event, as_conn, batch.tenant_id, position)
        fold.write(conn)

    def _known_params(self, batch: Batch) -> dict[str, Any]:
        """The (context, record) pairs of the batch's rows, each once."""
        context_of = self._contexts.__getitem__
        records = {(context_of(row.topic), row.originator_id) for row in batch.rows()}
        return {
            "t": batch.tenant_id,
            "contexts": [context for context, _ in records],
            "records": [record for _, record in records],
        }

    @cached_property
    def _contexts(self) -> dict[str, str]:
        """The context of each handled topic (worked out once, not per batch)."""
        return {topic: _context_of(topic) for topic in self.topics() or ()}

    @singledispatchmethod
    def apply(self, event: Any, conn: psycopg.Connection, tenant_id: str, position: int) -> None:
        """Other events change no deadline."""

    @apply.register
    def _(
        self, event: Rectification.Opened, conn: psycopg.Connection, tenant_id: str, position: int
    ) -> None:
        _open(
            conn,
            event.originator_id,
            DeadlineKind.VERIFICATION.value,
            event.verification_due_on,
            event.timestamp,
            position,
        )

    @apply.register
    def _(
        self,
        event: Rectification.VerificationCalled,
        conn: psycopg.Connection,
        tenant_id: str,
        position: int,
    ) -> None:
        _close(
            conn,
            event.originator_id,
            DeadlineKind.VERIFICATION.value,
            event.timestamp,
            event.on_time,
            position,
        )

    @apply.register
    def _(
        self,
        event: Rectification.LedgerEntered,
        conn: psycopg.Connection,
        tenant_id: str,
        position: int,
    ) -> None:
        _open(
            conn,
            event.originator_id,
            DeadlineKind.RECTIFICATION.value,
            event.due_on,
            event.timestamp,
            position,
        )

    @apply.register
    def _(
        self,
        event: Rectification.Completed,
        conn: psycopg.Connection,
        tenant_id: str,
        position: int,
    ) -> None:
        _close(
            conn,
            event.originator_id,
            DeadlineKind.RECTIFICATION.value,
            event.timestamp,
            event.on_time,
            position,
        )

    @apply.register
    def _(
        self,
        event: Rectification.Withdrawn,
        conn: psycopg.Connection,
        tenant_id: str,
        position: int,
    ) -> None:
        """撤销: nothing is owed any more; its deadlines count no more."""
        fold = cast(DeadlineFold, conn)
        fold.withdraw(RECTIFICATIONS, event.originator_id, event.timestamp, position)

    @apply.register
    def _(
        self, event: Rectification.Overdue, conn: psycopg.Connection, tenant_id: str, position: int
    ) -> None:
        _overdue(conn, RECTIFICATIONS, event, event.deadline, position)

    # -- 帮办代办 cases: 限时办结, paused while the clock is stopped ---------------------------

    @apply.register
    def _(self, e: events.Accepted, conn: psycopg.Connection, tenant_id: str, p: int) -> None:
        _open(conn, e.originator_id, COMPLETION, e.due_date, e.timestamp, p, CASES)

    @apply.register
    def _(self, e: events.NoticeIssued, conn: psycopg.Connection, tenant_id: str, p: int) -> None:
        """一次性告知 in time: the clock stops until the last material arrives."""
        if e.clock_stopped:
            _close(conn, e.originator_id, COMPLETION, e.timestamp, None, p, CASES)

    @apply.register
    def _(
        self, e: events.MaterialsSupplemented, conn: psycopg.Connection, tenant_id: str, p: int
    ) -> None:
        """补正: with the last material the clock runs again, to the (moved) due date (a
        miss stays when that is already past)."""
        if not e.outstanding:
            _open(
                conn,
                e.originator_id,
                COMPLETION,
                e.due_date,
                e.timestamp,
                p,
                CASES,
                restarted_on=e.supplemented_on,
            )

    @apply.register
    def _(self, e: events.Suspended, conn: psycopg.Connection, tenant_id: str, p: int) -> None:
        _close(conn, e.originator_id, COMPLETION, e.timestamp, None, p, CASES)

    @apply.register
    def _(self, e: events.Resumed, conn: psycopg.Connection, tenant_id: str, p: int) -> None:
        """续办: the clock runs again, to the moved due date; a case behind it as it resumes
        (the due date before ``resumed_on``) keeps its miss, or misses on that day."""
        _open(
            conn,
            e.originator_id,
            COMPLETION,
            e.due_date,
            e.timestamp,
            p,
            CASES,
            restarted_on=e.resumed_on,
        )

    @apply.register
    def _(self, e: events.Completed, conn: psycopg.Connection, tenant_id: str, p: int) -> None:
        _close(conn, e.originator_id, COMPLETION, e.timestamp, e.on_time, p, CASES)

    @apply.register
    def _(self, e: events.Terminated, conn: psycopg.Connection, tenant_id: str, p: int) -> None:
        _close(conn, e.originator_id, COMPLETION, e.timestamp, None, p, CASES)

    @apply.register
    def _(self, e: events.Overdue, conn: psycopg.Connection, tenant_id: str, p: int) -> None:
        _overdue(conn, CASES, e, COMPLETION, p)

    # -- complaints: the reply (意见反馈) is due ------------------------------------------------

    @apply.register
    def _(self, e: Complaint.Accepted, conn: psycopg.Connection, tenant_id: str, p: int) -> None:
        _open(conn, e.originator_id, REPLY, e.due_on, e.timestamp, p, COMPLAINTS)

    @apply.register
    def _(
        self, e: Complaint.DeadlineExtended, conn: psycopg.Connection, tenant_id: str, p: int
    ) -> None:
        """延期: a new due date the scheduler records when it passes too; a miss of an
        earlier due date stays (``missed_on``), as in the complaint register."""
        _open(conn, e.originator_id, REPLY, e.due_on, e.timestamp, p, COMPLAINTS, extension=True)

    @apply.register
    def _(self, e: Complaint.Reopened, conn: psycopg.Connection, tenant_id: str, p: int) -> None:
        """重新办理: a new round, its due date not missed yet."""
        _open(conn, e.originator_id, REPLY, e.due_on, e.timestamp, p, COMPLAINTS)

    @apply.register
    def _(self, e: Complaint.Replied, conn: psycopg.Connection, tenant_id: str, p: int) -> None:
        _close(conn, e.originator_id, REPLY, e.timestamp, e.on_time, p, COMPLAINTS)

    @apply.register
    def _(self, e: Complaint.Withdrawn, conn: psycopg.Connection, tenant_id: str, p: int) -> None:
        _close(conn, e.originator_id, REPLY, e.timestamp, None, p, COMPLAINTS)

    @apply.register
    def _(self, e: Complaint.Overdue, conn: psycopg.Connection, tenant_id: str, p: int) -> None:
        _overdue(conn, COMPLAINTS, e, REPLY, p)
