"""The complaint register (status, class, respondent, due date, extensions, finding,
overdue) and its figures per month (on-time replies, 属实率, days to close): projection and
queries."""

from projections.complaints.projection import ComplaintRegisterProjection
from projections.complaints.summary import ComplaintMonthSummary, complaint_summary
from projections.complaints.view import (
    ComplaintFilter,
    ComplaintRow,
    complaints_by_id,
    list_complaints,
)

__all__ = [
    "ComplaintFilter",
    "ComplaintMonthSummary",
    "ComplaintRegisterProjection",
    "ComplaintRow",
    "complaint_summary",
    "complaints_by_id",
    "list_complaints",
]
