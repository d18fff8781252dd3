"""Rectifications (整改): every bad rating, substantiated complaint and inspection finding
is verified, dealt with (立行立改 / 建台账限期整改 / 解释说明), fed back and reviewed."""

from services.rectifications.application import RectificationService
from services.rectifications.domain import Rectification
from services.rectifications.errors import (
    RectificationError,
    RectificationNotFoundError,
    RectificationStateError,
)
from services.rectifications.values import (
    SYSTEM_ACTOR,
    DeadlineKind,
    Disposition,
    FeedbackMethod,
    RectificationSource,
    RectificationStatus,
    WithdrawalReason,
)

__all__ = [
    "SYSTEM_ACTOR",
    "DeadlineKind",
    "Disposition",
    "FeedbackMethod",
    "Rectification",
    "RectificationError",
    "RectificationNotFoundError",
    "RectificationService",
    "RectificationSource",
    "RectificationStateError",
    "RectificationStatus",
    "WithdrawalReason",
]
