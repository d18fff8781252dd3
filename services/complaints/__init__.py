"""Complaints (服务投诉, GB/T 36113): 受理 → 调查 → 处置 → 意见反馈 → 归档."""

from services.complaints.application import ComplaintDetails, ComplaintService
from services.complaints.domain import Complaint
from services.complaints.errors import (
    AssigneeOffboardedError,
    ComplaintError,
    ComplaintNotFoundError,
    ComplaintNotRepliedError,
    ComplaintStateError,
    NotTheComplainantError,
)
from services.complaints.values import (
    ANONYMOUS_COMPLAINANT,
    ComplaintChannel,
    ComplaintClass,
    ComplaintStatus,
    Finding,
    RejectionReason,
)

__all__ = [
    "ANONYMOUS_COMPLAINANT",
    "AssigneeOffboardedError",
    "Complaint",
    "ComplaintChannel",
    "ComplaintClass",
    "ComplaintDetails",
    "ComplaintError",
    "ComplaintNotFoundError",
    "ComplaintNotRepliedError",
    "ComplaintService",
    "ComplaintStateError",
    "ComplaintStatus",
    "Finding",
    "NotTheComplainantError",
    "RejectionReason",
]
