"""Inspections (明察暗访): announced or unannounced, with numbered findings.

>>> from datetime import UTC
>>> now = datetime(2026, 5, 6, 8, tzinfo=UTC)
>>> i = Inspection(hall_id="demo", kind="UNANNOUNCED", inspected_on="2026-05-06",
...     window_codes=["W01"], inspectors=["sup-1"], actor="sup-1", timestamp=now)
>>> i.record_finding("DISCIPLINE", "W01 窗口脱岗 20 分钟", "W01", "S001", True,
...     now=now, actor="sup-1")
1
"""

from __future__ import annotations

import re
from datetime import date, datetime

from eventsourcing.domain import Aggregate, event

from services.shared.errors import ValidationError
from services.shared.ids import PLACE_CODE, canonical_badge
from services.supervision.errors import SupervisionStateError
from services.supervision.values import (
    CODE,
    FindingCategory,
    InspectionKind,
    parse_date,
    parse_enum,
    require_code,
    require_text,
)

__all__ = ["Inspection"]

MAX_TEXT = 2000
MAX_LIST = 50
MAX_FINDINGS = 200


def _codes(
    values: list[str], what: str, pattern: re.Pattern[str], *, at_least_one: bool
) -> list[str]:
    if len(values) > MAX_LIST or (at_least_one and not values):
        raise ValidationError(f"give {int(at_least_one)} to {MAX_LIST} {what}")
    return [require_code(v, what, pattern=pattern) for v in values]


class Inspection(Aggregate):
    """One inspection of the hall (明察 or 暗访) and its findings."""

    class Recorded(Aggregate.Created):
        """InspectionRecorded: an inspection took place."""

        hall_id: str
        kind: str
        inspected_on: str
        window_codes: list[str]
        inspectors: list[str]
        actor: str

    class FindingRecorded(Aggregate.Event):
        """InspectionFindingRecorded: a problem the inspection found; one that needs
        rectifying opens a rectification (整改) in the same save."""

        finding_no: int
        category: str
        description: str
        window_code: str
        staff_badge: str
        rectification_required: bool
        actor: str

    class Closed(Aggregate.Event):
        """InspectionClosed: the inspection report is final; no more findings."""

        summary: str
        actor: str

    @event(Recorded)
    def __init__(
        self,
        hall_id: str,
        kind: str,
        inspected_on: str,
        window_codes: list[str],
        inspectors: list[str],
        actor: str,
        *,
        timestamp: datetime,
    ) -> None:
        self.hall_id = hall_id
        self.kind = parse_enum(InspectionKind, kind, "inspection kind")
        self.inspected_on: date = parse_date(inspected_on, "the inspection date")
        self.window_codes = _codes(window_codes, "window codes", PLACE_CODE, at_least_one=False)
        self.inspectors = _codes(inspectors, "inspectors", CODE, at_least_one=True)
        self.findings = 0
        self.rectifications_required = 0
        self.closed = False

    def record_finding(
        self,
        category: str,
        description: str,
        window_code: str,
        staff_badge: str,
        rectification_required: bool,
        *,
        now: datetime,
        actor: str,
    ) -> int:
        """Record a finding; returns its number (1, 2, …) in the inspection."""
        if self.closed:
            raise SupervisionStateError("the inspection is closed; no more findings")
        if self.findings >= MAX_FINDINGS:
            raise ValidationError(f"an inspection has at most {MAX_FINDINGS} findings")
        kind = parse_enum(FindingCategory, category, "finding category")
        text = require_text(description, "the description", MAX_TEXT)
        require_code(window_code, "window code", optional=True, pattern=PLACE_CODE)
        if staff_badge:  # 工号 in its canonical form (s001 is S001)
            staff_badge = canonical_badge(staff_badge)
        self._finding_recorded(
            self.findings + 1,
            kind.value,
            text,
            window_code,
            staff_badge,
            rectification_required,
            actor,
            timestamp=now,
        )
        return self.findings

    @event(FindingRecorded)
    def _finding_recorded(
        self,
        finding_no: int,
        category: str,
        description: str,
        window_code: str,
        staff_badge: str,
        rectification_required: bool,
        actor: str,
        *,
        timestamp: datetime,
    ) -> None:
        self.findings = finding_no
        self.rectifications_required += rectification_required

    def close(self, summary: str, *, now: datetime, actor: str) -> None:
        """Finish the inspection report."""
        if self.closed:
            raise SupervisionStateError("the inspection is already closed")
        self._closed(require_text(summary, "the summary", MAX_TEXT), actor, timestamp=now)

    @event(Closed)
    def _closed(self, summary: str, actor: str, *, timestamp: datetime) -> None:
        self.closed = True
