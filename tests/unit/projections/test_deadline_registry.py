"""The deadline scheduler's registry and round logic, with fake sources (no database)."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from services.scheduler import DeadlineRegistry, DeadlineScheduler, DeadlineSource, DueRecord
from services.shared.errors import ConflictError

NOW = datetime(2026, 10, 9, 2, tzinfo=UTC)


class _Conn:
    def __init__(self, locked: bool = False) -> None:
        self.locked = locked

    def execute(self, sql, params=()):
        return self

    def fetchone(self):
        return (not self.locked,)


class _Pool:
    def __init__(self, locked: bool = False) -> None:
        self.conn = _Conn(locked)

    @contextmanager
    def connection(self):
        yield self.conn


def _source(name, records, outcome):
    calls = []

    def mark(apps, record, now):
        calls.append((record.record_id, now))
        result = outcome(record)
        if isinstance(result, Exception):
            raise result
        return result

    return DeadlineSource(name, lambda conn, now: list(records), mark), calls


def test_a_round_calls_each_sources_command_for_each_due_record_at_the_clocks_now():
    due = [DueRecord("h1", uuid4(), date(2026, 10, 8)) for _ in range(3)]
    source, calls = _source("x", due, lambda r: r is not due[1])
    scheduler = DeadlineScheduler(_Pool(), lambda cls, hall: None, [source], clock=lambda: NOW)
    report = scheduler.run_once()
    assert (report.found, report.recorded, report.unchanged, report.failed) == (3, 2, 1, 0)
    assert calls == [(r.record_id, NOW) for r in due]
    assert report.by_source == {"x": 2}


def test_a_refused_command_is_counted_and_the_round_goes_on():
    due = [DueRecord("h1", uuid4(), date(2026, 10, 8)) for _ in range(2)]
    source, _ = _source("x", due, lambda r: ConflictError("busy") if r is due[0] else True)
    report = DeadlineScheduler(_Pool(), lambda c, h: None, [source], clock=lambda: NOW).run_once()
    assert (report.recorded, report.failed) == (1, 1)


def test_a_round_is_skipped_while_another_scheduler_runs_one():
    source, calls = _source("x", [DueRecord("h1", uuid4(), date(2026, 10, 8))], lambda r: True)
    report = DeadlineScheduler(_Pool(locked=True), lambda c, h: None, [source]).run_once()
    assert report.skipped
    assert calls == []


def test_a_source_name_is_registered_once():
    source, _ = _source("x", [], lambda r: True)
    registry = DeadlineRegistry([source])
    with pytest.raises(ValueError, match="registered already"):
        registry.register(source)
    assert len(registry) == 1
