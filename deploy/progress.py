"""Progress of long operator commands (rebuilds, exports, replays): a bar on a terminal, a
line every few seconds anywhere else (a log file, CI, a Kubernetes job), where a bar cannot
redraw and would show nothing until the end."""

from __future__ import annotations

import time
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

__all__ = ["OperatorProgress"]


class _EventsPerSecond(ProgressColumn):
    """The rate rich estimates from recent updates, as events per second."""

    def render(self, task: Task) -> Text:
        return Text(_rate(task), style="cyan")


def _rate(task: Task) -> str:
    speed = task.finished_speed or task.speed
    return f"{speed:>9,.0f} events/s" if speed else "        – events/s"


class OperatorProgress(Progress):
    """``add_task(description)`` and ``update(task, completed=…, total=…)`` as with
    :class:`rich.progress.Progress`; on a console that is not a terminal, each task is
    printed as a line at most every ``every`` seconds and once when it stops::

        catalog: 120,000/1,000,400 events,    61,200 events/s, ETA 14 s
    """

    def __init__(self, console: Console, *, every: float = 5.0) -> None:
        super().__init__(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            _EventsPerSecond(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=not console.is_terminal,
        )
        self.lines = not console.is_terminal
        self.every = every
        self._printed: dict[TaskID, float] = {}

    def update(self, task_id: TaskID, **kwargs: Any) -> None:
        super().update(task_id, **kwargs)
        due = time.monotonic() - self._printed.get(task_id, 0.0) >= self.every
        if self.lines and (due or "description" in kwargs):  # a new phase shows at once
            self._print(task_id)

    def stop(self) -> None:
        if self.lines:
            for task_id in self._printed:
                self._print(task_id)
        super().stop()

    def _print(self, task_id: TaskID) -> None:
        self._printed[task_id] = time.monotonic()
        task = next(t for t in self.tasks if t.id == task_id)
        total = f"/{task.total:,.0f}" if task.total else ""
        eta = f", ETA {task.time_remaining:,.0f} s" if task.time_remaining is not None else ""
        self.console.print(
            f"{task.description}: {task.completed:,.0f}{total} events, {_rate(task).strip()}{eta}",
            markup=False,
            highlight=False,
        )
