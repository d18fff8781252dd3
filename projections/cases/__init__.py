"""The 帮办代办 case register (status, 首问负责, 一次性告知, 限时办结, overdue, history) and its
figures per month (按时办结率, days to close): projection and queries."""

from projections.cases.projection import CaseRegisterProjection
from projections.cases.summary import CaseMonthSummary, case_summary
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
    "CaseMonthSummary",
    "CaseRegisterProjection",
    "CaseRow",
    "case_histories",
    "case_summary",
    "cases_by_id",
    "list_cases",
]
