"""``run_platform`` (``yanshen run`` / ``serve``) in this process: a background worker
that dies stops the process with status 1, after the other workers were stopped and before
the pools are closed; a port in use stops it before anything starts."""

from __future__ import annotations

import dataclasses
import logging
import socket
import threading

import pytest

from deploy.bootstrap import Platform
from deploy.runner import WORKER_FAILED, StartupError, run_platform
from tests.conftest import TEST_SETTINGS, _free_port


class _Crashing:
    def run_forever(self) -> None:
        raise RuntimeError("a bug in the projection worker")

    def stop(self) -> None:
        pass


class _Polite:
    """Runs until stopped; records whether its pool was still open when it stopped."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self._stop = threading.Event()
        self.pool_open_at_stop: bool | None = None

    def run_forever(self) -> None:
        self._stop.wait(60)
        self.pool_open_at_stop = not self.platform.worker_pool.closed

    def stop(self) -> None:
        self._stop.set()


def test_a_dead_worker_stops_the_process_with_status_1(monkeypatch, database_url, caplog):
    caplog.set_level(logging.INFO, "yanshen")
    relays: list[_Polite] = []

    def polite(platform: Platform) -> _Polite:
        relays.append(_Polite(platform))
        return relays[-1]

    monkeypatch.setattr(Platform, "projection_worker", lambda self: _Crashing())
    monkeypatch.setattr(Platform, "stream_relay", polite)
    settings = dataclasses.replace(
        TEST_SETTINGS,
        database_url=database_url,
        port=_free_port(),
        kafka_bootstrap_servers="127.0.0.1:9",  # so that the (fake) relay runs too
    )
    assert run_platform(settings, with_workers=True, seed=False) == WORKER_FAILED
    assert "projection worker stopped unexpectedly" in caplog.text
    assert "a bug in the projection worker" in caplog.text
    assert relays[0].pool_open_at_stop is True, "the pools were closed before the workers"
    assert "stopped" in caplog.messages


@pytest.mark.parametrize("variable", ["YANSHEN_PORT", "YANSHEN_METRICS_PORT"])
def test_a_port_in_use_stops_the_start_before_anything_runs(monkeypatch, variable):
    with socket.socket() as taken:
        taken.bind(("0.0.0.0" if variable == "YANSHEN_METRICS_PORT" else "127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        settings = dataclasses.replace(
            TEST_SETTINGS, database_url="postgresql://nowhere.invalid/x", port=_free_port()
        )
        if variable == "YANSHEN_PORT":
            settings = dataclasses.replace(settings, port=port)
        else:
            monkeypatch.setenv("YANSHEN_METRICS_PORT", str(port))
        with pytest.raises(StartupError, match=f"{port}.*{variable}"):
            run_platform(settings, with_workers=True, seed=False)
