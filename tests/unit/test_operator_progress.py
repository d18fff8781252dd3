"""Long operator commands show progress in logs too, where a bar cannot redraw."""

from __future__ import annotations

import io

from rich.console import Console

from deploy.progress import OperatorProgress


def test_off_a_terminal_progress_is_a_line_every_few_seconds_and_at_each_phase(monkeypatch):
    now = [100.0]
    monkeypatch.setattr("deploy.progress.time.monotonic", lambda: now[0])
    out = io.StringIO()
    with OperatorProgress(Console(file=out, force_terminal=False, width=200), every=5) as bar:
        task = bar.add_task("catalog", total=None)
        for done in range(0, 10_000, 1_000):  # one update a second
            bar.update(task, completed=done, total=10_000)
            now[0] += 1
        bar.update(task, description="catalog: swapping")
    lines = out.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines[:2]] == ["catalog", "catalog"]
    assert lines[0].startswith("catalog: 0/10,000 events")
    assert lines[1].startswith("catalog: 5,000/10,000 events")
    assert lines[2].startswith("catalog: swapping: 9,000/10,000 events")  # at once
    assert len(lines) == 4  # and once more at the end


def test_on_a_terminal_it_is_a_bar_and_prints_no_lines():
    out = io.StringIO()
    with OperatorProgress(Console(file=out, force_terminal=True, width=200), every=0) as bar:
        task = bar.add_task("catalog", total=10)
        bar.update(task, completed=5)
    assert "events/s" in out.getvalue()
    assert "catalog: 5/10 events" not in out.getvalue()
