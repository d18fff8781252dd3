"""Queries over the worklists: the only way the gateway reads the ``worklist_*`` tables.

A staff member's worklist is a list of items of six kinds, in this order: tickets in
service (called to or served at a window), open cases, open complaints, pending case
follow-ups, pending complaint follow-ups, pending rectification follow-ups (整改: the step
that waits for them, :class:`RectificationStep`); within a kind, oldest first (by the log
position where the item got its current place). Pages are keyset pages on (kind, position,
record).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from psycopg.rows import class_row
from psycopg_pool import ConnectionPool

from projections.runtime.db import tenant_connection

__all__ = [
    "RectificationStep",
    "WorkKind",
    "WorklistCounts",
    "WorklistItem",
    "WorklistKey",
    "worklist",
    "worklist_counts",
    "worklist_position",
]


class WorkKind(StrEnum):
    """What a worklist item asks of the staff member, in worklist order."""

    TICKET_IN_SERVICE = "TICKET_IN_SERVICE"
    OPEN_CASE = "OPEN_CASE"
    OPEN_COMPLAINT = "OPEN_COMPLAINT"
    CASE_FOLLOW_UP = "CASE_FOLLOW_UP"
    COMPLAINT_FOLLOW_UP = "COMPLAINT_FOLLOW_UP"
    RECTIFICATION_FOLLOW_UP = "RECTIFICATION_FOLLOW_UP"


class RectificationStep(StrEnum):
    """What a rectification on a worklist waits for from its staff member."""

    VERIFICATION_CALL = "VERIFICATION_CALL"
    """核实回访 (status OPEN), due by the verification due date."""
    DISPOSITION = "DISPOSITION"
    """立行立改 / 建台账限期整改 / 解释说明 after the call or a reopening (status VERIFIED)."""
    LEDGER = "LEDGER"
    """The ledger entry's rectification (status IN_PROGRESS), due by its due date."""
    FEEDBACK = "FEEDBACK"
    """反馈 to the rater or inspector (status COMPLETED)."""


RANKS = {kind: rank for rank, kind in enumerate(WorkKind, start=1)}
WorklistKey = tuple[int, int, str]
"""Where an item stands: (rank of its kind, position, record id)."""


@dataclass(frozen=True)
class WorklistItem:
    """One item of a worklist."""

    rank: int
    kind: str
    record_id: str
    """The case, complaint or rectification id; ``<queue>/<service day>/<number>`` for a
    ticket."""
    status: str
    due_on: date | None
    since_position: int
    since_at: datetime
    queue_code: str | None
    service_day: date | None
    number: int | None
    display_number: str | None
    window_code: str | None
    item_code: str | None
    matter: str | None
    step: str | None
    """A rectification's pending :class:`RectificationStep`."""
    source: str | None
    """What opened a rectification (BAD_RATING, COMPLAINT, INSPECTION)."""

    @property
    def key(self) -> WorklistKey:
        return (self.rank, self.since_position, self.record_id)


@dataclass(frozen=True)
class WorklistCounts:
    """How many items of each kind a staff member has."""

    tickets_in_service: int = 0
    open_cases: int = 0
    open_complaints: int = 0
    case_follow_ups: int = 0
    complaint_follow_ups: int = 0
    rectification_follow_ups: int = 0


_OPEN_CASE = "('ACCEPTED', 'SUBMITTED', 'SUSPENDED', 'RESULT_RECEIVED', 'DELIVERED')"
_OPEN_COMPLAINT = "('ACCEPTED', 'ASSIGNED', 'INVESTIGATED', 'DISPOSED')"
_ITEMS = f"""
SELECT 1 AS rank, 'TICKET_IN_SERVICE' AS kind,
       queue_code || '/' || service_day || '/' || number AS record_id, status,
       NULL::date AS due_on, since_position, called_at AS since_at, queue_code, service_day,
       number, display_number, window_code, NULL AS item_code, NULL AS matter,
       NULL AS step, NULL AS source
FROM worklist_tickets WHERE tenant_id = %(t)s AND upper(staff_badge) = upper(%(b)s)
UNION ALL
SELECT CASE WHEN status IN {_OPEN_CASE} THEN 2 ELSE 4 END,
       CASE WHEN status IN {_OPEN_CASE} THEN 'OPEN_CASE' ELSE 'CASE_FOLLOW_UP' END,
       case_id::text, status, CASE WHEN status IN {_OPEN_CASE} THEN due_date END,
       since_position, since_at, NULL, NULL, NULL, NULL, NULL, item_code, matter, NULL, NULL
FROM worklist_cases
WHERE tenant_id = %(t)s AND upper(responsible) = upper(%(b)s)
  AND (status IN {_OPEN_CASE}
       OR (status IN ('COMPLETED', 'TERMINATED') AND NOT follow_up_reached))
UNION ALL
SELECT CASE WHEN status = 'REPLIED' THEN 5 ELSE 3 END,
       CASE WHEN status = 'REPLIED' THEN 'COMPLAINT_FOLLOW_UP' ELSE 'OPEN_COMPLAINT' END,
       complaint_id::text, status, CASE WHEN status <> 'REPLIED' THEN due_on END,
       since_position, since_at, NULL, NULL, NULL, NULL, respondent_window, NULL, NULL, NULL,
       NULL
FROM worklist_complaints
WHERE tenant_id = %(t)s AND upper(assignee) = upper(%(b)s)
  AND (status IN {_OPEN_COMPLAINT} OR (status = 'REPLIED' AND has_applicant))
UNION ALL
SELECT 6, 'RECTIFICATION_FOLLOW_UP', rectification_id::text, status,
       CASE status WHEN 'OPEN' THEN verification_due_on WHEN 'IN_PROGRESS' THEN due_on END,
       since_position, since_at, NULL, NULL, NULL, NULL, window_code, NULL, NULL,
       CASE status WHEN 'OPEN' THEN 'VERIFICATION_CALL' WHEN 'VERIFIED' THEN 'DISPOSITION'
                   WHEN 'IN_PROGRESS' THEN 'LEDGER' ELSE 'FEEDBACK' END,
       source
FROM worklist_rectifications
WHERE tenant_id = %(t)s AND upper(responsible) = upper(%(b)s)
  AND status IN ('OPEN', 'VERIFIED', 'IN_PROGRESS', 'COMPLETED')
"""
_PAGE = f"""
SELECT * FROM ({_ITEMS}) items
WHERE (%(kinds)s::text[] IS NULL OR kind = ANY(%(kinds)s::text[]))
  AND (rank, since_position, record_id) > (%(rank)s, %(position)s, %(record)s)
ORDER BY rank, since_position, record_id
LIMIT %(limit)s
"""
_COUNTS = f"SELECT kind, count(*) FROM ({_ITEMS}) items GROUP BY kind"


def worklist(
    pool: ConnectionPool,
    tenant_id: str,
    badge: str,
    *,
    kinds: Sequence[WorkKind] | None = None,
    after: WorklistKey | None = None,
    limit: int,
) -> list[WorklistItem]:
    """Up to ``limit`` items of ``badge``'s worklist after ``after`` (of ``kinds`` only)."""
    rank, position, record = after or (0, 0, "")
    params = {
        "t": tenant_id,
        "b": badge,
        "kinds": None if kinds is None else [k.value for k in kinds],
        "rank": rank,
        "position": position,
        "record": record,
        "limit": limit,
    }
    with tenant_connection(pool, tenant_id) as conn:
        cur = conn.cursor(row_factory=class_row(WorklistItem))
        return cur.execute(_PAGE, params).fetchall()


def worklist_counts(pool: ConnectionPool, tenant_id: str, badge: str) -> WorklistCounts:
    """How many items of each kind ``badge`` has."""
    with tenant_connection(pool, tenant_id) as conn:
        found = dict(conn.execute(_COUNTS, {"t": tenant_id, "b": badge}).fetchall())
    return WorklistCounts(
        tickets_in_service=found.get(WorkKind.TICKET_IN_SERVICE, 0),
        open_cases=found.get(WorkKind.OPEN_CASE, 0),
        open_complaints=found.get(WorkKind.OPEN_COMPLAINT, 0),
        case_follow_ups=found.get(WorkKind.CASE_FOLLOW_UP, 0),
        complaint_follow_ups=found.get(WorkKind.COMPLAINT_FOLLOW_UP, 0),
        rectification_follow_ups=found.get(WorkKind.RECTIFICATION_FOLLOW_UP, 0),
    )


_POSITION = """
SELECT position FROM consumer_positions WHERE consumer = 'projection:worklist' AND tenant_id = %s
"""


def worklist_position(pool: ConnectionPool, tenant_id: str) -> int:
    """The position in the hall's log up to which the worklists are up to date (0: none).

    The projection moves it in the transaction that writes the rows, so counts read after
    this position are at least as recent as it."""
    with tenant_connection(pool, tenant_id) as conn:
        row = conn.execute(_POSITION, (tenant_id,)).fetchone()
    return int(row[0]) if row else 0
