"""The result of an invitation to rate, on its own: the queue context builds one when a service
ends (:mod:`services.evaluations.visits`) without importing the evaluation service, which
imports the queue context (the halls' places and windows) in turn."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from services.evaluations.domain import Evaluation

__all__ = ["InvitedEvaluation"]


@dataclass(frozen=True)
class InvitedEvaluation:
    """The result of an invitation (or of a reissued code): the evaluation and, when the
    invitation names no applicant, its one-time ``rating_code`` to print on the ticket or
    receipt (``""`` when it names one). The code is returned here only: the platform keeps
    just its hash."""

    evaluation: Evaluation
    rating_code: str = ""

    @property
    def id(self) -> UUID:
        """The evaluation's id (what :meth:`EvaluationService.submit_rating` takes)."""
        return self.evaluation.id
