"""The audit trail's own records, kept in the hall's log like every other fact.

- :class:`AuditAccess`: one read of the hall's history by an auditor or an operator (who,
  what, when, why). Recorded before the read, so failed attempts are on record too.
- :class:`ChainHead`: a published head of the hall's hash chain (position and hash), so a
  later rewrite of history is detectable against it.

Both are recorded in the log they are about: a hall's, or the platform log
(:data:`~services.shared.ids.PLATFORM_LOG`: holiday schedules, partner register), which
platform operators read with the same commands.

>>> a = AuditAccess(hall_id="demo", actor="au-1", role="auditor", action="HISTORY",
...     scope="positions 1-50", reason="年度审计", personal=False)
>>> a.action
'HISTORY'
"""

from __future__ import annotations

import re
from enum import StrEnum

from eventsourcing.domain import Aggregate, event

from services.audit.errors import ReasonRequiredError
from services.shared.errors import ValidationError
from services.shared.ids import PLATFORM_LOG, validate_hall_id

__all__ = ["AccessAction", "AuditAccess", "ChainHead", "require_reason", "validate_log_id"]

_HASH = re.compile(r"^[0-9a-f]{64}\Z")


class AccessAction(StrEnum):
    """What part of the history was read."""

    HISTORY = "HISTORY"
    """The event stream (a page of it)."""
    AS_OF = "AS_OF"
    """One record's state at a past position or time."""
    DIFF = "DIFF"
    """One record's changes between two points."""
    EXPORT = "EXPORT"
    """A signed export bundle."""
    REPLAY = "REPLAY"
    """A replay through fresh projections, compared with the live read models."""


def validate_log_id(log_id: str) -> str:
    """A hall id, or :data:`PLATFORM_LOG`: the logs whose history is audited.

    >>> validate_log_id("platform")
    'platform'
    """
    return log_id if log_id == PLATFORM_LOG else validate_hall_id(log_id)


def require_reason(reason: str | None) -> str:
    """The stripped reason; refuse a read without one (:class:`ReasonRequiredError`)."""
    text = (reason or "").strip()
    if not text:
        raise ReasonRequiredError("reading a hall's history needs a reason (it is logged)")
    if len(text) > 500:
        raise ReasonRequiredError("a reason is limited to 500 characters")
    return text


class AuditAccess(Aggregate):
    """One read of a hall's history (访问记录)."""

    class Recorded(Aggregate.Created):
        """AuditAccessRecorded: who read what of the hall's history, when and why."""

        hall_id: str
        actor: str
        role: str
        action: str
        scope: str
        reason: str
        personal: bool

    @event(Recorded)
    def __init__(
        self,
        hall_id: str,
        actor: str,
        role: str,
        action: str,
        scope: str,
        reason: str,
        personal: bool,
    ) -> None:
        validate_log_id(hall_id)
        self.hall_id = hall_id
        self.actor = actor
        self.role = role
        self.action = AccessAction(action).value
        self.scope = scope
        self.reason = reason
        self.personal = personal


class ChainHead(Aggregate):
    """A published head of a hall's hash chain."""

    class Published(Aggregate.Created):
        """ChainHeadPublished: the chain's head at ``head_position`` had ``head_hash``."""

        hall_id: str
        head_position: int
        head_hash: str
        actor: str

    @event(Published)
    def __init__(self, hall_id: str, head_position: int, head_hash: str, actor: str) -> None:
        validate_log_id(hall_id)
        if head_position < 0 or not _HASH.match(head_hash):
            raise ValidationError("a chain head is a position and a 64-digit sha256 hex")
        self.hall_id = hall_id
        self.head_position = head_position
        self.head_hash = head_hash
        self.actor = actor
