"""The workers ``yanshen run`` / ``serve`` run in threads: one that ends without being
stopped is reported (readiness) and stops the process."""

from __future__ import annotations

import threading

from deploy.background import BackgroundWorkers


class _Looping:
    """Runs until stopped."""

    def __init__(self) -> None:
        self._stop = threading.Event()

    def run_forever(self) -> None:
        self._stop.wait(30)

    def stop(self) -> None:
        self._stop.set()


class _Crashing(_Looping):
    def run_forever(self) -> None:
        raise OSError(98, "YANSHEN_METRICS_PORT 9100: Address already in use")


class _Returning(_Looping):
    def run_forever(self) -> None:
        return


def test_a_worker_that_crashes_is_reported_and_stops_the_process(caplog):
    failures: list[str] = []
    workers = BackgroundWorkers(failures.append)
    workers.start("projection worker", _Crashing())
    assert workers.join(10) == []
    assert failures == ["projection worker"]
    assert workers.failed == ["projection worker"]
    assert workers.problem() == "background worker stopped: projection worker"
    assert "Address already in use" in caplog.text


def test_a_worker_that_returns_without_being_stopped_is_a_failure_too():
    failures: list[str] = []
    workers = BackgroundWorkers(failures.append)
    workers.start("deadline scheduler", _Returning())
    workers.join(10)
    assert failures == ["deadline scheduler"]


def test_stopped_workers_are_no_failure():
    failures: list[str] = []
    workers = BackgroundWorkers(failures.append)
    workers.start("projection worker", _Looping())
    workers.start("stream relay", _Looping())
    assert workers.problem() is None
    workers.stop()
    assert workers.join(10) == []
    assert failures == []
    assert workers.problem() is None


def test_join_names_the_workers_that_did_not_stop_in_time():
    workers = BackgroundWorkers()
    stuck = _Looping()
    workers.start("stream relay", stuck)
    assert workers.join(0.1) == ["stream relay"]
    stuck.stop()
    assert workers.join(10) == []
