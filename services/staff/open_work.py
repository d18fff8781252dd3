"""A staff member's open work (在办事项): what must be handed over before they leave the hall.

Offboarding is refused while the member is responsible for an open 帮办代办 case, is the
assignee of an open complaint or has a rectification (整改) step waiting for them: nobody
else's worklist would show these, and their deadlines (限时办结, the reply's due date, the
verification call) would run out unnoticed. Where the answer comes from is a port,
:class:`OpenWorkLookup`: the gateway answers from the ``worklist`` read model
(``gateway/staff/open_work.py``, waiting until it has caught up with the hall's log);
:func:`open_work_in_log` answers from the hall's log itself (every process without that
wiring: the in-memory tests, scripts). See ``docs/domain.md``, section "Staff".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol
from uuid import UUID

from eventsourcing.utils import get_topic

from services.cases.domain import Case, CaseStatus
from services.complaints.domain import Complaint
from services.complaints.values import ComplaintStatus
from services.rectifications.domain import Rectification
from services.rectifications.values import RectificationStatus
from services.shared.ids import same_badge
from services.staff.domain import OpenWork

if TYPE_CHECKING:
    from services.shared.application import HallApplication

__all__ = ["OpenWork", "OpenWorkLookup", "open_work_in_log"]

OPEN_CASE = frozenset(
    {
        CaseStatus.ACCEPTED,
        CaseStatus.SUBMITTED,
        CaseStatus.SUSPENDED,
        CaseStatus.RESULT_RECEIVED,
        CaseStatus.DELIVERED,
    }
)
"""A case in these statuses is open (the worklist's ``OPEN_CASE``; it can be reassigned)."""
OPEN_COMPLAINT = frozenset(
    {
        ComplaintStatus.ACCEPTED,
        ComplaintStatus.ASSIGNED,
        ComplaintStatus.INVESTIGATED,
        ComplaintStatus.DISPOSED,
    }
)
"""A complaint in these statuses is open (the worklist's ``OPEN_COMPLAINT``)."""
PENDING_RECTIFICATION = frozenset(
    {
        RectificationStatus.OPEN,
        RectificationStatus.VERIFIED,
        RectificationStatus.IN_PROGRESS,
        RectificationStatus.COMPLETED,
    }
)
"""A rectification in these statuses waits for its staff member (the worklist's steps)."""


class OpenWorkLookup(Protocol):
    """Answers :class:`OpenWork` for a badge of ``app``'s hall, as of the log position
    ``as_of`` at least (the hall's head when the command started)."""

    def __call__(self, app: HallApplication, badge_number: str, *, as_of: int) -> OpenWork: ...


_TOPICS = {
    get_topic(Case.Accepted): "accepted_by",
    get_topic(Case.Reassigned): "responsible",
    get_topic(Complaint.Assigned): "assignee",
    get_topic(Rectification.Opened): "staff_badge",
}
"""The events that give a record to a staff member, and the field naming the badge."""
_PAGE = 500


def _records_ever_given_to(app: HallApplication, badge_number: str) -> set[UUID]:
    found: set[UUID] = set()
    start = 1
    while True:
        page = app.recorder.select_notifications(start, _PAGE, topics=list(_TOPICS))
        for notification in page:
            event = app.mapper.to_domain_event(notification)
            if same_badge(getattr(event, _TOPICS[notification.topic]), badge_number):
                found.add(UUID(str(notification.originator_id)))
        if len(page) < _PAGE:
            return found
        start = page[-1].id + 1


def open_work_in_log(app: HallApplication, badge_number: str, *, as_of: int = 0) -> OpenWork:
    """The open work of ``badge_number`` read from the hall's log (always current); a
    record given to the badge in another case (s001 for S001) is theirs too.

    Finds every record ever given to the badge, then asks each record (its aggregate) whether
    it is still open and still theirs. It reads the hall's history of those events: fine for
    a rare command in memory or in a small hall; the gateway uses the worklist instead.
    """
    cases = complaints = rectifications = 0
    for record_id in sorted(_records_ever_given_to(app, badge_number)):
        record: object = app.repository.get(record_id)
        if isinstance(record, Case):
            cases += record.status in OPEN_CASE and same_badge(
                record.responsible or "", badge_number
            )
        elif isinstance(record, Complaint):
            complaints += record.status in OPEN_COMPLAINT and same_badge(
                record.assignee, badge_number
            )
        elif isinstance(record, Rectification):
            rectifications += record.status in PENDING_RECTIFICATION and same_badge(
                record.staff_badge, badge_number
            )
    return OpenWork(cases, complaints, rectifications)
