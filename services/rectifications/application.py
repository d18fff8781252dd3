"""RectificationService: staff verify, deal with and feed back rectifications (整改);
supervisors review them; the deadline scheduler (and hall admins, supervisors) record missed
deadlines."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.utils import get_topic

from services.halls.application import require_registered_hall
from services.rectifications.domain import Rectification
from services.rectifications.errors import RectificationNotFoundError
from services.rectifications.values import SYSTEM_ACTOR
from services.shared.application import HallApplication
from services.shared.errors import ConflictError

__all__ = ["RectificationService"]

PAGE = 500


class RectificationService(HallApplication):
    """Application service for one hall's rectifications.

    Rectifications are opened by the process policies of the contexts that find problems
    (a bad rating, a substantiated complaint, an inspection finding), in the same atomic
    save as the event that found the problem; this service runs the rest of their life.
    """

    def get_rectification(self, rectification_id: UUID) -> Rectification:
        rectification = self.get_or_none(rectification_id)
        if not isinstance(rectification, Rectification):
            raise RectificationNotFoundError(f"no rectification {rectification_id} in this hall")
        return rectification

    def _save(self, rectification: Rectification) -> Rectification:
        conflict = ConflictError(f"rectification {rectification.id} changed concurrently")
        self.save_or_conflict(rectification, conflict=conflict)
        return rectification

    def record_verification_call(
        self, rectification_id: UUID, contacted: bool, notes: str, actor: str
    ) -> Rectification:
        """核实回访 (staff)."""
        rectification = self.get_rectification(rectification_id)
        rectification.record_verification_call(contacted, notes, now=self.clock(), actor=actor)
        return self._save(rectification)

    def fix_at_once(self, rectification_id: UUID, measures: list[str], actor: str) -> Rectification:
        """立行立改 (staff)."""
        rectification = self.get_rectification(rectification_id)
        rectification.fix_at_once(measures, now=self.clock(), actor=actor)
        return self._save(rectification)

    def enter_ledger(self, rectification_id: UUID, plan: list[str], actor: str) -> Rectification:
        """建台账限期整改 (staff): due within the hall's ``rectification_working_days``."""
        policies = require_registered_hall(self).policies
        rectification = self.get_rectification(rectification_id)
        rectification.enter_ledger(
            plan, now=self.clock(), calendar=self.calendar, policies=policies, actor=actor
        )
        return self._save(rectification)

    def explain(self, rectification_id: UUID, explanation: str, actor: str) -> Rectification:
        """解释说明 (staff)."""
        rectification = self.get_rectification(rectification_id)
        rectification.explain(explanation, now=self.clock(), actor=actor)
        return self._save(rectification)

    def complete(self, rectification_id: UUID, measures: list[str], actor: str) -> Rectification:
        """整改完成 of a ledger entry (staff)."""
        rectification = self.get_rectification(rectification_id)
        rectification.complete(measures, now=self.clock(), actor=actor)
        return self._save(rectification)

    def feed_back(
        self, rectification_id: UUID, method: str, content: str, actor: str
    ) -> Rectification:
        """反馈 to the rater (staff)."""
        rectification = self.get_rectification(rectification_id)
        rectification.feed_back(method, content, now=self.clock(), actor=actor)
        return self._save(rectification)

    def pass_review(self, rectification_id: UUID, note: str, actor: str) -> Rectification:
        """复核通过 (supervisors, hall admins)."""
        rectification = self.get_rectification(rectification_id)
        rectification.pass_review(note, now=self.clock(), actor=actor)
        return self._save(rectification)

    def reopen(self, rectification_id: UUID, reason: str, actor: str) -> Rectification:
        """复核不通过 (supervisors, hall admins)."""
        rectification = self.get_rectification(rectification_id)
        rectification.reopen(reason, now=self.clock(), actor=actor)
        return self._save(rectification)

    def mark_overdue(self, now: datetime | None = None, actor: str = SYSTEM_ACTOR) -> int:
        """超期: record :class:`Rectification.Overdue` for every rectification of the hall whose
        current deadline has passed and is not recorded yet, as ``actor``; returns how many
        were recorded.

        Hall admins and supervisors call it (the gateway passes them as ``actor``; it is a
        command: queries never record anything). It reads the hall's log for opened
        rectifications, so the deadline scheduler records the due ones one by one instead, as
        ``system`` (``services/scheduler/rectifications.py``). Safe to run any time, as often
        as wanted: a deadline is recorded as missed once, whoever records it.
        """
        moment = now or self.clock()
        marked = 0
        for rectification_id in self._opened_ids():
            rectification = self.get_rectification(rectification_id)
            if rectification.mark_overdue(now=moment, actor=actor):
                self._save(rectification)
                marked += 1
        return marked

    def _opened_ids(self) -> list[UUID]:
        topic = get_topic(Rectification.Opened)
        ids: list[UUID] = []
        start: int | None = 1
        while start is not None:
            page = self.recorder.select_notifications(start=start, limit=PAGE, topics=[topic])
            ids += [UUID(str(n.originator_id)) for n in page]
            start = page[-1].id + 1 if len(page) == PAGE else None
        return ids
