"""The complaint register (status, class, respondent, due date, extensions, finding,
overdue): projection and queries."""

from projections.complaints.projection import ComplaintRegisterProjection
from projections.complaints.view import (
    ComplaintFilter,
    ComplaintRow,
    complaints_by_id,
    list_complaints,
)

__all__ = [
    "ComplaintFilter",
    "ComplaintRegisterProjection",
    "ComplaintRow",
    "complaints_by_id",
    "list_complaints",
]
