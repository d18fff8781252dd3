"""Complaints (服务投诉, GB/T 36113): 受理 → 调查 → 处置 → 意见反馈 → 归档."""

from services.complaints.application import ComplaintDetails, ComplaintService
from services.complaints.domain import Complaint
from services.complaints.errors import (
    AssigneeOffboardedError,
    ComplaintError,
    ComplaintNotAssignedError,
    ComplaintNotFoundError,
    ComplaintNotRepliedError,
    ComplaintStateError,
    ExtensionLimitError,
    NotTheComplainantError,
    RespondentRecusalError,
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
    "ComplaintNotAssignedError",
    "ComplaintNotFoundError",
    "ComplaintNotRepliedError",
    "ComplaintService",
    "ComplaintStateError",
    "ComplaintStatus",
    "ExtensionLimitError",
    "Finding",
    "NotTheComplainantError",
    "RejectionReason",
    "RespondentRecusalError",
]
