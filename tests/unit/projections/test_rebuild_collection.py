"""A rebuild's batches run without Python's cyclic garbage collector, which is restored
after each batch (also when one fails), and left off when it was off before."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from projections.runtime import parallel
from projections.runtime.errors import HallRebuildError
from projections.runtime.tracking import GroupBatch


class _Conn:
    @contextmanager
    def transaction(self) -> Iterator[None]:
        yield


class _Pool:
    @contextmanager
    def connection(self) -> Iterator[_Conn]:
        yield _Conn()


@pytest.fixture
def collector_on() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.enable()
    yield
    if not enabled:
        gc.disable()


def _batches(monkeypatch: pytest.MonkeyPatch, covered: list[int], seen: list[bool]) -> None:
    """``apply_group_batch`` replaced: each call covers the next of ``covered`` and notes
    whether the collector was on (a negative count raises)."""

    def apply(conn: Any, members: Any, **kwargs: Any) -> GroupBatch:
        seen.append(gc.isenabled())
        result = GroupBatch()
        result.covered = covered.pop(0)
        if result.covered < 0:
            raise RuntimeError("the batch failed")
        return result

    monkeypatch.setattr(parallel, "apply_group_batch", apply)


@pytest.mark.usefixtures("collector_on")
def test_every_batch_runs_without_the_collector_and_it_is_back_on_after(monkeypatch):
    seen: list[bool] = []
    between: list[bool] = []
    _batches(monkeypatch, [10, 10, 3], seen)
    applied = parallel.catch_up_hall(
        _Pool(), [], "hall-a", 10, on_batch=lambda n: between.append(gc.isenabled())
    )
    assert applied == 23
    assert seen == [False, False, False]
    assert between == [True, True, True]
    assert gc.isenabled()


@pytest.mark.usefixtures("collector_on")
def test_a_failed_batch_turns_the_collector_back_on(monkeypatch):
    seen: list[bool] = []
    _batches(monkeypatch, [-1], seen)
    with pytest.raises(HallRebuildError, match="the batch failed"):
        parallel.catch_up_hall(_Pool(), [], "hall-a", 10)
    assert seen == [False]
    assert gc.isenabled()


def test_a_collector_turned_off_before_stays_off():
    enabled = gc.isenabled()
    gc.disable()
    try:
        with parallel.no_cyclic_collection():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        if enabled:
            gc.enable()
