"""Values of the rectifications context (整改): sources, dispositions, states."""

from __future__ import annotations

from enum import StrEnum

from services.shared.values import parse_enum, require_text

__all__ = [
    "SYSTEM_ACTOR",
    "DeadlineKind",
    "Disposition",
    "FeedbackMethod",
    "RectificationSource",
    "RectificationStatus",
    "WithdrawalReason",
    "parse_enum",
    "require_text",
]


SYSTEM_ACTOR = "system"
"""The actor of events the platform records by itself (process policies, schedulers)."""


class RectificationSource(StrEnum):
    """What opened the rectification."""

    BAD_RATING = "BAD_RATING"
    """差评: a 不满意 / 非常不满意 rating."""
    COMPLAINT = "COMPLAINT"
    """投诉查实: a substantiated (or partly substantiated) complaint."""
    INSPECTION = "INSPECTION"
    """明察暗访: a finding of an inspection."""


class RectificationStatus(StrEnum):
    """核实 → 立行立改 / 建台账限期整改 / 解释说明 → 反馈 → 复核; 撤销 before the work is done
    when what opened it no longer stands."""

    OPEN = "OPEN"
    """Waiting for the verification call (核实回访)."""
    VERIFIED = "VERIFIED"
    """Verified; waiting for the disposition."""
    IN_PROGRESS = "IN_PROGRESS"
    """On the ledger (建台账), to be rectified by its due date."""
    COMPLETED = "COMPLETED"
    """Fixed, rectified or explained; waiting for feedback to the rater."""
    FED_BACK = "FED_BACK"
    """The rater (or inspector) was told the result; waiting for the review (复核)."""
    CLOSED = "CLOSED"
    """The review passed."""
    WITHDRAWN = "WITHDRAWN"
    """撤销: what opened it no longer stands (its bad rating was excluded on appeal) before
    the work was done; nothing more is owed, no step is taken, no deadline is missed."""


class WithdrawalReason(StrEnum):
    """Why a rectification was withdrawn (撤销)."""

    RATING_EXCLUDED = "RATING_EXCLUDED"
    """甄别剔除: the bad rating that opened it was excluded on appeal (mistaken or
    malicious)."""


class Disposition(StrEnum):
    """How the problem is dealt with after the verification call."""

    FIX_AT_ONCE = "FIX_AT_ONCE"
    """立行立改: clear and reasonable, fixed at once."""
    LEDGER = "LEDGER"
    """建台账限期整改: entered in the ledger and rectified within the hall's limit."""
    EXPLANATION = "EXPLANATION"
    """解释说明: no legal basis for the request; explained to the rater."""


class DeadlineKind(StrEnum):
    """Which deadline a rectification missed."""

    VERIFICATION = "VERIFICATION"
    """The verification call (核实回访) was not made in time."""
    RECTIFICATION = "RECTIFICATION"
    """The ledger entry was not rectified by its due date."""


class FeedbackMethod(StrEnum):
    """How the result was fed back (反馈)."""

    PHONE = "PHONE"
    SMS = "SMS"
    IN_PERSON = "IN_PERSON"
    ONLINE = "ONLINE"
    LETTER = "LETTER"
