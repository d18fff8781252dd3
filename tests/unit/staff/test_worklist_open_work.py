"""The gateway's open-work lookup answers from the worklist only once it has caught up with
the position the offboarding started at, and refuses rather than answer from an older state."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.staff import open_work as module
from gateway.staff.open_work import WorklistOpenWork
from projections.worklist import WorklistCounts
from services.staff import OpenWork, StaffWorkUnknownError


class App:
    hall_id = "h1"


@pytest.fixture
def worklist(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The worklist's position (moved by each poll) and counts, instead of PostgreSQL."""
    state: dict[str, Any] = {"positions": [5], "counts": WorklistCounts(open_cases=2)}

    def position(pool: object, tenant_id: str) -> int:
        assert tenant_id == "h1"
        positions = state["positions"]
        return int(positions.pop(0) if len(positions) > 1 else positions[0])

    monkeypatch.setattr(module, "worklist_position", position)
    monkeypatch.setattr(module, "worklist_counts", lambda pool, t, badge: state["counts"])
    return state


def _lookup(clock: list[float]) -> WorklistOpenWork:
    def sleep(seconds: float) -> None:
        clock[0] += seconds

    return WorklistOpenWork(
        pool=None,  # type: ignore[arg-type]
        wait_seconds=1.0,
        poll_seconds=0.25,
        sleep=sleep,
        monotonic=lambda: clock[0],
    )


def test_answers_once_the_worklist_has_reached_the_commands_position(worklist):
    worklist["positions"] = [3, 4, 5]
    worklist["counts"] = WorklistCounts(open_cases=2, open_complaints=1, rectification_follow_ups=3)
    clock = [0.0]
    assert _lookup(clock)(App(), "S001", as_of=5) == OpenWork(2, 1, 3)  # type: ignore[arg-type]
    assert clock[0] == 0.5


def test_refuses_when_the_worklist_stays_behind(worklist):
    worklist["positions"] = [3]
    with pytest.raises(StaffWorkUnknownError, match="2 events behind") as raised:
        _lookup([0.0])(App(), "S001", as_of=5)  # type: ignore[arg-type]
    assert raised.value.code == "CONFLICT"
