"""The rectification ledger (整改台账: source, owner, due dates, state, overdue): projection
and queries."""

from projections.rectifications.projection import RectificationLedgerProjection
from projections.rectifications.view import (
    RectificationFilter,
    RectificationRow,
    list_rectifications,
    rectifications_by_id,
)

__all__ = [
    "RectificationFilter",
    "RectificationLedgerProjection",
    "RectificationRow",
    "list_rectifications",
    "rectifications_by_id",
]
