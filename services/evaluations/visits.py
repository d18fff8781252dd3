"""一次一评: every visit served at a window is invited to rate, once, when its service ends.

GB/T 39734-2020 and 国办发〔2019〕51号 let every in-person visit be rated once; 未评率 and the
default rating (基本满意 after the hall's period) assume every served visit was invited. An
invitation that depends on staff remembering to ask for it lets a visit that went badly go
uninvited (steering, which the standard forbids). So the queue records the invitation
itself, **in the same atomic save as** ``ServiceEnded`` (``QueueService.end_service``):

- *Why in the same save, not a policy following the hall's log.* Both aggregates belong to
  the hall's one log, and an application saves several of them atomically (as a bad rating
  and its rectification are saved). The end of the service and its invitation are then
  recorded together or not at all: no crash, retry or lost position can leave a served
  visit uninvited or invite it twice, with no tracking table, lease or catch-up to run. And
  an anonymous ticket's one-time rating code (评价码) exists only in the command's result:
  an asynchronous follower would create it where nobody can hand it to the applicant.
  The end of the service returns it, for the window's evaluator screen (评价器).
- *Exactly once.* The evaluation id derives from the visit (:func:`visit_ref`: the ticket
  that was served, ``<queue>:<service day>:<number>``), so the save conflicts with any
  other invitation of the same visit, and a visit already invited (by hand, while it was
  served) is not invited again. A manual ``inviteEvaluation`` of a visit invited here is
  refused as ``CONFLICT`` (:class:`~services.evaluations.errors.EvaluationExistsError`):
  the code of an anonymous visit was shown once, at the window, and is not kept (a lost
  one is replaced by a new code: ``EvaluationService.reissue_rating_code``).
- *Only served visits.* Only ``ServiceEnded`` invites: a ticket marked no-show, removed or
  transferred was not served. A transferred visit goes on as the ticket that continues it
  (in another queue, or the same number at a window), whose service ends once: that ticket
  is the visit invited.
- *What the invitation names.* The window and the staff member who served, the ticket's
  applicant id (none for a kiosk ticket: then the rating code), and the item handled:
  the one staff named when ending the service (``item_code``, one of the queue's items,
  published and not withdrawn: checked before the service ends, see
  :func:`services.queue.invitations.require_handled_item`), so that 好评率 per 事项 counts
  the visits of a queue of several items too; an item named that the hall published as
  not rated (``rated=False``) invites nothing, as ``inviteEvaluation`` would refuse it.
  Without a named item, the item when the queue serves exactly one (a queue of several
  items does not say which was handled, so the visit is rated as the hall's). A queue whose
  items the hall all published as not rated (withdrawn ones left aside) invites nothing:
  whichever was handled, the hall chose that service takes no ratings; a queue with a
  rated item among them invites the visit as the hall's. A withdrawn item is no longer
  named. The invitation's ``item_code`` (in ``Evaluation.Invited``) is where the choice is
  recorded: ``ServiceEnded`` names no item.
- *Per hall.* The hall policy ``invite_served_visits`` (default on) turns it off for a hall
  that invites through the API instead (e.g. from its own evaluator devices).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from services.catalog.domain import ServiceItem
from services.evaluations.codes import new_rating_code
from services.evaluations.domain import Evaluation
from services.evaluations.invited import InvitedEvaluation
from services.evaluations.values import EvaluationChannel, SubjectKind
from services.halls.policies import HallPolicies
from services.rectifications.values import SYSTEM_ACTOR

__all__ = ["ServedVisit", "invitation_for_served_visit", "visit_evaluation_id", "visit_ref"]


def visit_ref(queue_code: str, service_day: str, number: int) -> str:
    """The reference of the visit a ticket stands for (its evaluation's ``subject_ref``).

    >>> visit_ref("ZH", "2026-05-06", 7)
    'ZH:2026-05-06:7'
    """
    return f"{queue_code}:{service_day}:{number}"


def visit_evaluation_id(hall_id: str, queue_code: str, service_day: str, number: int) -> UUID:
    """The id of the evaluation of the visit of ticket ``number`` (one per visit)."""
    return Evaluation.create_id(
        hall_id, SubjectKind.VISIT.value, visit_ref(queue_code, service_day, number)
    )


@dataclass(frozen=True)
class ServedVisit:
    """A ticket whose service just ended normally, and who served it where."""

    queue_code: str
    service_day: str
    number: int
    applicant_id: str
    """The ticket's opaque applicant id; ``""`` for an anonymous (kiosk) ticket."""
    window_code: str
    staff_badge: str
    item_codes: Sequence[str]
    """The items the ticket's queue serves."""
    handled_item_code: str = ""
    """The item staff named as handled, one of ``item_codes`` (checked before the service
    ended); ``""`` when they named none."""


def invitation_for_served_visit(
    visit: ServedVisit,
    *,
    hall_id: str,
    policies: HallPolicies,
    now: datetime,
    load: Callable[[UUID], object | None],
) -> InvitedEvaluation | None:
    """The invitation (not saved yet: the caller saves it with the end of the service), or
    ``None`` when the visit is not to be invited (see the module's docstring).

    ``load`` reads an aggregate of the hall by id (``None`` when there is none): the visit's
    evaluation (already invited?) and the queue's items.
    """
    if not policies.invite_served_visits:
        return None
    ref = visit_ref(visit.queue_code, visit.service_day, visit.number)
    if load(Evaluation.create_id(hall_id, SubjectKind.VISIT.value, ref)) is not None:
        return None
    item_code = _invited_item(visit, hall_id, load)
    if item_code is None:
        return None
    rating_code = "" if visit.applicant_id else new_rating_code()
    evaluation = Evaluation.invite(
        hall_id=hall_id,
        subject_kind=SubjectKind.VISIT.value,
        subject_ref=ref,
        channel=EvaluationChannel.OFFLINE.value,
        applicant_id=visit.applicant_id,
        window_code=visit.window_code,
        staff_badge=visit.staff_badge,
        item_code=item_code,
        rating_code=rating_code,
        now=now,
        unrated_default_days=policies.unrated_default_days,
        actor=SYSTEM_ACTOR,
    )
    return InvitedEvaluation(evaluation, rating_code)


def _invited_item(
    visit: ServedVisit, hall_id: str, load: Callable[[UUID], object | None]
) -> str | None:
    """The item the invitation names (``""``: the hall's), or ``None`` when the item handled
    takes no ratings, so the visit is not invited."""
    if visit.handled_item_code:
        named = load(ServiceItem.create_id(hall_id, visit.handled_item_code))
        if isinstance(named, ServiceItem) and not named.rated:
            return None
        return visit.handled_item_code
    items = [load(ServiceItem.create_id(hall_id, code)) for code in visit.item_codes]
    offered = [i for i in items if isinstance(i, ServiceItem) and not i.withdrawn]
    if offered and not any(item.rated for item in offered):
        return None  # whichever of them was handled, the hall takes no ratings for it
    return offered[0].code if len(visit.item_codes) == 1 and offered else ""
