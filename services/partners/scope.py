"""What a grant names (授权范围): event type names and ``context.*`` patterns.

A grant keeps the names as the hall admin gave them; ``queue.*`` stays a pattern and is
matched against the event types the platform publishes *when an event is delivered*, so a
type added to the context later is covered too (a partner that asked for the whole context
gets the whole context). Only grantable types ever match:

- never the partners context (one partner must not learn about another) or the holidays
  context (the platform log's: no hall's log holds it);
- never the audit context (:data:`INTERNAL`): who read the hall's audit trail and why is
  the hall's internal supervision record (内部监督), and a reason may name a person;
  partners are external bodies. A grant recorded before naming such a type keeps the name
  (events are facts) but is no longer delivered it: :func:`withheld` names it;
- the types of :data:`NAMED_ONLY` contexts are granted by name only, never by a pattern:
  they are the hall's erasure records (which data subject was erased), not its service
  data, and a type added to them later must not flow to a partner unasked.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from contracts import EVENT_TYPES
from services.partners.errors import UnknownEventTypeError
from services.shared.errors import ValidationError

__all__ = [
    "INTERNAL",
    "NAMED_ONLY",
    "covered_types",
    "grantable_event_types",
    "normalize_patterns",
    "patterns_of_v1",
    "withheld",
]

PLATFORM_ONLY = ("partners", "holidays")
"""Contexts no hall can grant: the platform log's."""
INTERNAL = ("audit",)
"""Contexts no hall can grant: its internal supervision records (审计记录)."""
NAMED_ONLY = ("privacy",)
"""Contexts whose types are granted by name only (no ``context.*``)."""

_V1_CONTEXTS: dict[str, frozenset[str]] = {
    context: frozenset(f"{context}.{name}" for name in names.split())
    for context, names in {
        "cases": "CaseAccepted CaseArchived CaseCompleted CaseFollowUpCalled CaseMandateSigned "
        "CaseMaterialsChecked CaseMaterialsHandedOver CaseMaterialsSupplemented "
        "CaseOneTimeNoticeIssued CaseReassigned CaseRequested CaseResultDelivered "
        "CaseResultReceived CaseResumed CaseSubmittedToDepartment CaseSuspended CaseTerminated",
        "catalog": "ServiceItemPublished ServiceItemRevised ServiceItemWithdrawn",
        "complaints": "ComplaintAccepted ComplaintArchived ComplaintAssigned "
        "ComplaintDeadlineExtended ComplaintDisposed ComplaintFollowedUp ComplaintInvestigated "
        "ComplaintReceived ComplaintRejected ComplaintReopened ComplaintReplied "
        "ComplaintWithdrawn",
        "evaluations": "EvaluationInvited RatingAppealRejected RatingAppealed RatingAppended "
        "RatingDefaulted RatingExcluded RatingSubmitted",
        "halls": "HallPoliciesChanged HallRegistered",
        "places": "ServicePlaceRegistered WindowClosed WindowConfigured WindowOpened "
        "WindowReconfigured WindowResumed WindowSuspended",
        "queue": "QueueConfigured QueueDayStarted QueueReconfigured QueueReset ServiceEnded "
        "ServiceStarted TicketCalled TicketIssued TicketMarkedNoShow TicketRecalled "
        "TicketRemoved TicketTransferred",
        "rectifications": "RectificationCompleted RectificationExplained RectificationFedBack "
        "RectificationFixedAtOnce RectificationLedgerEntered RectificationOpened "
        "RectificationOverdue RectificationReopened RectificationReviewPassed "
        "RectificationVerificationCalled",
        "staff": "StaffAssignedToWindow StaffOffboarded StaffOnboarded StaffSignedIn "
        "StaffSignedOut StaffTrainingRecorded StaffUnassignedFromWindow",
        "supervision": "AssessmentOpened AssessmentRankingPublished AssessmentScoreRecorded "
        "ConductViolationDismissed ConductViolationRecorded ImprovementActionCompleted "
        "ImprovementActionOpened InspectionClosed InspectionFindingRecorded InspectionRecorded "
        "InterviewCancelled InterviewHeld InterviewScheduled",
    }.items()
}
"""Each context's grantable types when grants were introduced (GrantIssued/GrantChanged v1,
which stored ``context.*`` expanded). Frozen: a v1 grant is read against it, never against
types added since."""


def grantable_event_types() -> list[str]:
    """Every event type a hall can grant (by name): all published types but the platform
    log's contexts (:data:`PLATFORM_ONLY`) and the hall's internal ones (:data:`INTERNAL`)."""
    return list(_grantable())


@cache
def _grantable() -> tuple[str, ...]:
    never = tuple(f"{c}." for c in (*PLATFORM_ONLY, *INTERNAL))
    return tuple(sorted({t.name for t in EVENT_TYPES if not t.name.startswith(never)}))


def _context_types(context: str) -> list[str]:
    """The types ``context.*`` covers now (none for a :data:`NAMED_ONLY` context)."""
    if context in NAMED_ONLY:
        return []
    return [t for t in _grantable() if t.split(".", 1)[0] == context]


def normalize_patterns(names: Iterable[str]) -> list[str]:
    """Check the names of a grant and return them as recorded: sorted, without duplicates
    or names a pattern of the same grant covers.

    >>> normalize_patterns(["queue.*", " queue.TicketIssued", "halls.HallRegistered"])
    ['halls.HallRegistered', 'queue.*']
    """
    found: set[str] = set()
    for raw in names:
        name = raw.strip()
        if name.split(".", 1)[0] in INTERNAL:
            raise UnknownEventTypeError(
                f"{name!r} is not grantable: audit records (who read the hall's audit trail "
                "and why) are the hall's internal supervision records, not shared with partners"
            )
        if name.endswith(".*"):
            context = name[:-2]
            if context in NAMED_ONLY:
                raise UnknownEventTypeError(
                    f"{context} event types are granted by name only, not by {name!r} "
                    "(see `yanshen partners types`)"
                )
            if not context or "." in context or not _context_types(context):
                raise UnknownEventTypeError(f"no grantable event types match {name!r}")
        elif name not in _grantable():
            raise UnknownEventTypeError(
                f"unknown or ungrantable event type {name!r} (see contracts/events)"
            )
        found.add(name)
    if not found:
        raise ValidationError("a grant needs at least one event type")
    wildcards = {n[:-2] for n in found if n.endswith(".*")}
    return sorted(n for n in found if n.endswith(".*") or n.split(".", 1)[0] not in wildcards)


def covered_types(patterns: Iterable[str]) -> frozenset[str]:
    """The grantable types the names cover now: a pattern matches the context's types of
    this moment (delivery time), a name itself if it is still grantable.

    >>> sorted(covered_types(["halls.*", "partners.GrantIssued"]))
    ['halls.HallPoliciesChanged', 'halls.HallRegistered']
    """
    found: set[str] = set()
    for name in patterns:
        if name.endswith(".*"):
            found.update(_context_types(name[:-2]))
        elif name in _grantable():
            found.add(name)
    return frozenset(found)


def patterns_of_v1(event_types: Iterable[str]) -> list[str]:
    """The names of a v1 grant event, which recorded ``context.*`` expanded: a context whose
    every type of the time (:data:`_V1_CONTEXTS`) it lists is read as ``context.*`` (a grant
    that named each of them is taken to want the whole context too); other names stay.

    >>> patterns_of_v1(["halls.HallPoliciesChanged", "halls.HallRegistered", "queue.TicketIssued"])
    ['halls.*', 'queue.TicketIssued']
    """
    names = set(event_types)
    whole = {c for c, types in _V1_CONTEXTS.items() if types <= names}
    kept = {n for n in names if n.split(".", 1)[0] not in whole}
    return sorted(kept | {f"{c}.*" for c in whole})


def withheld(patterns: Iterable[str]) -> list[str]:
    """The names of a grant that are no longer delivered: types not grantable any more
    (e.g. ``audit.AuditAccessRecorded``, granted before the audit context became internal)
    or no longer published.

    >>> withheld(["audit.AuditAccessRecorded", "queue.*", "queue.TicketIssued"])
    ['audit.AuditAccessRecorded']
    """
    return sorted(n for n in patterns if not n.endswith(".*") and n not in _grantable())
