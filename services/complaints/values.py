"""Values of the complaints context (GB/T 36113 服务投诉处置): channels, classes, findings."""

from __future__ import annotations

import re
from enum import StrEnum

from services.shared.values import parse_enum, require_text

__all__ = [
    "ANONYMOUS_COMPLAINANT",
    "ComplaintChannel",
    "ComplaintClass",
    "ComplaintStatus",
    "Finding",
    "RejectionReason",
    "parse_enum",
    "require_text",
]


ANONYMOUS_COMPLAINANT = "anonymous"
"""The actor of an anonymous complaint an applicant files themselves (匿名投诉): their own id
would tie the complaint to them in the log, the register and the partners' streams."""

APPLICANT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:@-]{0,63}\Z")
"""An opaque applicant id: the key of the data subject, never the person's data itself."""
PHONE = re.compile(r"^\+?[0-9][0-9 -]{4,19}\Z")


class ComplaintChannel(StrEnum):
    """How the complaint reached the hall (投诉渠道)."""

    IN_PERSON = "IN_PERSON"
    """现场: at the complaint window or a staff member."""
    PHONE = "PHONE"
    """电话: the hall's complaint phone."""
    HOTLINE_12345 = "HOTLINE_12345"
    """12345 政务服务便民热线: referred by the citizen hotline."""
    ONLINE = "ONLINE"
    """网上: the online platform or an app."""
    LETTER = "LETTER"
    """信函 / 意见箱: letter or suggestion box."""


class RejectionReason(StrEnum):
    """Why a complaint is not accepted (不予受理)."""

    OUT_OF_SCOPE = "OUT_OF_SCOPE"
    """Outside the hall's area or unit, or unrelated to government services."""
    NO_CLEAR_RESPONDENT = "NO_CLEAR_RESPONDENT"
    """No clear respondent or matter."""
    ALREADY_HANDLED = "ALREADY_HANDLED"
    """Already being handled or handled."""
    IN_LITIGATION_OR_REVIEW = "IN_LITIGATION_OR_REVIEW"
    """In litigation, arbitration, administrative review or mediation."""
    REPEATED_WITHOUT_NEW_FACTS = "REPEATED_WITHOUT_NEW_FACTS"
    """Repeated without new facts or evidence."""


class ComplaintClass(StrEnum):
    """How an accepted complaint is handled; sets which time limit applies."""

    ON_THE_SPOT = "ON_THE_SPOT"
    """现场处理: handled on the spot (the hall's simple limit)."""
    REFERRED = "REFERRED"
    """登记转办: registered and referred to the responsible unit (the complex limit)."""
    INTERVENTION = "INTERVENTION"
    """介入处理: the hall intervenes and coordinates (the complex limit)."""

    @property
    def is_simple(self) -> bool:
        return self is ComplaintClass.ON_THE_SPOT


class Finding(StrEnum):
    """The result of the investigation (调查结论)."""

    SUBSTANTIATED = "SUBSTANTIATED"
    """属实."""
    PARTLY_SUBSTANTIATED = "PARTLY_SUBSTANTIATED"
    """部分属实."""
    NOT_SUBSTANTIATED = "NOT_SUBSTANTIATED"
    """不属实."""

    @property
    def needs_rectification(self) -> bool:
        """A substantiated (or partly substantiated) complaint opens a rectification."""
        return self is not Finding.NOT_SUBSTANTIATED


class ComplaintStatus(StrEnum):
    """Where a complaint is in the procedure 受理 → 调查 → 处置 → 意见反馈 → 归档."""

    RECEIVED = "RECEIVED"
    REJECTED = "REJECTED"
    WITHDRAWN = "WITHDRAWN"
    ACCEPTED = "ACCEPTED"
    ASSIGNED = "ASSIGNED"
    INVESTIGATED = "INVESTIGATED"
    DISPOSED = "DISPOSED"
    REPLIED = "REPLIED"
    FOLLOWED_UP = "FOLLOWED_UP"
    ARCHIVED = "ARCHIVED"
