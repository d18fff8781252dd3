"""The 帮办代办 case register (status, 首问负责, 一次性告知, 限时办结, overdue, history):
projection and queries."""

from projections.cases.projection import CaseRegisterProjection
from projections.cases.view import (
    CaseFilter,
    CaseHistoryRow,
    CaseRow,
    case_histories,
    cases_by_id,
    list_cases,
)

__all__ = [
    "CaseFilter",
    "CaseHistoryRow",
    "CaseRegisterProjection",
    "CaseRow",
    "case_histories",
    "cases_by_id",
    "list_cases",
]
