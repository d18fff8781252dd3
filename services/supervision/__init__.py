"""Supervision, evaluation and improvement (监督考核与改进): inspections (明察暗访), conduct
violations, periodic assessments and rankings, interviews (约谈) and improvement actions."""

from services.supervision.application import (
    FindingDetails,
    InterviewDetails,
    SupervisionService,
    ViolationDetails,
)
from services.supervision.assessments import Assessment
from services.supervision.conduct import ConductViolation
from services.supervision.errors import (
    AssessmentExistsError,
    RankingSeriesChangedError,
    SupervisionError,
    SupervisionNotFoundError,
    SupervisionStateError,
    SupervisionSubjectNotFoundError,
)
from services.supervision.improvements import ImprovementAction
from services.supervision.inspections import Inspection
from services.supervision.interviews import Interview
from services.supervision.series import RankedMonth, WindowRankingSeries
from services.supervision.values import (
    AssessmentScope,
    FindingCategory,
    ImprovementSource,
    InspectionKind,
    IntervieweeKind,
    InterviewStatus,
    ViolationCategory,
)

__all__ = [
    "Assessment",
    "AssessmentExistsError",
    "AssessmentScope",
    "ConductViolation",
    "FindingCategory",
    "FindingDetails",
    "ImprovementAction",
    "ImprovementSource",
    "Inspection",
    "InspectionKind",
    "Interview",
    "InterviewDetails",
    "InterviewStatus",
    "IntervieweeKind",
    "RankedMonth",
    "RankingSeriesChangedError",
    "SupervisionError",
    "SupervisionNotFoundError",
    "SupervisionService",
    "SupervisionStateError",
    "SupervisionSubjectNotFoundError",
    "ViolationCategory",
    "ViolationDetails",
    "WindowRankingSeries",
]
