"""一次一评 at the window: the invitation to rate a visit, recorded with the end of its service.

The rule and why it is kept in the same save are in :mod:`services.evaluations.visits`; this
module gives the queue what it needs to apply it to a ticket that was just served.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.catalog.domain import ServiceItem
from services.evaluations.errors import ItemNotRatedError, ItemWithdrawnError
from services.evaluations.invited import InvitedEvaluation
from services.evaluations.visits import ServedVisit, invitation_for_served_visit
from services.halls.policies import HallPolicies
from services.queue.domain import Queue, Ticket
from services.queue.errors import ItemNotInQueueError
from services.shared.application import HallApplication

__all__ = ["EndedService", "require_handled_item", "served_visit_invitation"]


@dataclass(frozen=True)
class EndedService:
    """The result of ending a service: the ticket, ended, and the invitation to rate the visit
    saved with it (``None`` when the visit was already invited, the item named as handled or
    the queue's items all take no ratings, or the hall turned ``invite_served_visits`` off).

    For an anonymous ticket the invitation carries the one-time rating code (评价码): this
    result is the only place it is ever shown, for the window's evaluator screen (评价器)
    or the receipt."""

    ticket: Ticket
    invitation: InvitedEvaluation | None = None

    @property
    def rating_code(self) -> str:
        """The visit's rating code; ``""`` when the invitation names the applicant (or none)."""
        return self.invitation.rating_code if self.invitation else ""


def require_handled_item(app: HallApplication, queue: Queue, item_code: str) -> None:
    """The item staff name as handled when a service of ``queue`` ends: one the queue serves
    (else :class:`ItemNotInQueueError`, ``VALIDATION``, listing the queue's items), in the
    hall's catalog and not withdrawn, refused as ``inviteEvaluation`` refuses an item
    (:class:`ItemNotRatedError`, ``VALIDATION``; :class:`ItemWithdrawnError`, ``CONFLICT``).
    One published as not rated is accepted: the visit is then not invited."""
    if item_code not in queue.item_codes:
        served = ", ".join(queue.item_codes) or "none"
        raise ItemNotInQueueError(
            f"queue {queue.code!r} does not serve item {item_code!r}; its items: {served}"
        )
    item = app.get_or_none(ServiceItem.create_id(app.hall_id, item_code))
    if not isinstance(item, ServiceItem):
        raise ItemNotRatedError(f"not in this hall's catalog: {item_code}")
    if item.withdrawn:
        raise ItemWithdrawnError(f"item {item_code!r} was withdrawn from this hall's catalog")


def served_visit_invitation(
    app: HallApplication,
    ticket: Ticket,
    staff_badge: str,
    policies: HallPolicies,
    now: datetime,
    item_code: str = "",
) -> InvitedEvaluation | None:
    """The invitation of the visit ``ticket`` just ended (not saved yet), served by
    ``staff_badge`` at the ticket's window; ``item_code`` is the item staff named as handled
    (checked by :func:`require_handled_item` before the service ended), ``""`` for none."""
    queue = app.get_or_none(Queue.create_id(app.hall_id, ticket.queue_code))
    visit = ServedVisit(
        queue_code=ticket.queue_code,
        service_day=ticket.service_day,
        number=ticket.number,
        applicant_id=ticket.applicant_id,
        window_code=ticket.window_code,
        staff_badge=staff_badge,
        item_codes=list(queue.item_codes) if isinstance(queue, Queue) else [],
        handled_item_code=item_code,
    )
    return invitation_for_served_visit(
        visit, hall_id=app.hall_id, policies=policies, now=now, load=app.get_or_none
    )
