"""The deadline scheduler refuses an interval that is not above 0 (it would spin)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from deploy.cli import app
from services.scheduler import DeadlineScheduler

runner = CliRunner()


@pytest.mark.parametrize("interval", [0.0, -5.0, float("nan")])
def test_the_scheduler_refuses_an_interval_not_above_zero(interval):
    with pytest.raises(ValueError, match="above 0"):
        DeadlineScheduler(None, None, [], interval=interval)  # type: ignore[arg-type]


@pytest.mark.parametrize("interval", ["0", "-1"])
def test_schedule_refuses_an_interval_not_above_zero_with_status_2(interval):
    result = runner.invoke(app, ["schedule", "--interval", interval])
    assert result.exit_code == 2, result.output
    assert "above 0" in result.output


def test_run_refuses_a_schedule_interval_not_above_zero_with_status_2(monkeypatch):
    monkeypatch.setenv("YANSHEN_SCHEDULE_INTERVAL", "0")
    result = runner.invoke(app, ["run"])
    assert result.exit_code == 2, result.output
    assert "YANSHEN_SCHEDULE_INTERVAL" in result.output
