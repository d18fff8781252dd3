"""Audit replay schemas (copies of a hall's read models, personal data included) do not
outlive their replay: a killed replay's schema is swept like a killed rebuild's shadow, a
running replay is left alone, and a kept schema goes at its expiry or after an erasure."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from typing import Any

import psycopg
import pytest

from deploy.bootstrap import all_projections
from projections.runtime import sweep_stale_rebuilds
from projections.runtime.sweep import sweep_stale_replays
from services.audit import ReplayUnsettledError
from services.audit import replay as replay_module
from services.audit.replay import replay_hall, replay_schema
from services.privacy import PrivacyService
from services.staff import StaffMember
from tests.integration.projections.support import ROOT, wait_until

_SCRIPT = """
import sys, time
from deploy.bootstrap import all_projections
from deploy.cli_audit import _platform, _reader
from services.audit import Accessor
from services.audit.replay import replay_hall

def progress(done, total):
    if done == total:  # every event applied, before the comparison: killed here
        print("replaying", flush=True)
        time.sleep(600)

with _platform() as platform:
    replay_hall(
        _reader(platform), platform.database_url, platform.worker_pool, sys.argv[1],
        all_projections(), Accessor(actor="au-1", role="auditor", reason="抽查"),
        batch_size=1, keep=sys.argv[2] == "keep", progress=progress,
    )
"""


def _exists(url: str, schema: str) -> bool:
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT to_regnamespace(%s)", (schema,)).fetchone()
    return row is not None and row[0] is not None


def _swept(platform: Any, schema: str) -> str | None:
    """Sweep replays as the worker role; the outcome for ``schema`` (``None``: not found)."""
    with platform.worker_pool.connection() as conn:
        found = {s.schema: s.outcome for s in sweep_stale_replays(conn)}
    return found.get(schema)


def _worker_sweep(platform: Any) -> None:
    """What projection workers (at their start, every minute) and rebuilds call."""
    with platform.worker_pool.connection() as conn:
        sweep_stale_rebuilds(conn)


@pytest.mark.parametrize("keep", ["drop", "keep"])
def test_a_replay_killed_with_kill_9_leaves_no_schema_after_a_sweep(
    platform, seeded, database_url, project, keep
):
    project()
    schema = replay_schema(seeded)
    app_name = f"killed-replay-{seeded}"[:60]
    replay = subprocess.Popen(
        [sys.executable, "-c", _SCRIPT, seeded, keep],
        cwd=ROOT,
        env=dict(os.environ, DATABASE_URL=database_url, PGAPPNAME=app_name, YANSHEN_LOG_JSON="0"),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert replay.stdout is not None
        assert replay.stdout.readline().strip() == "replaying", "the replay never got going"
        replay.send_signal(signal.SIGKILL)
        replay.wait(timeout=10)
        with psycopg.connect(database_url, autocommit=True) as conn:
            deadline = time.monotonic() + 30
            while conn.execute(
                "SELECT 1 FROM pg_stat_activity WHERE application_name = %s", (app_name,)
            ).fetchall():
                assert time.monotonic() < deadline, "the replay's sessions live on"
                time.sleep(0.05)
            rows = conn.execute(f"SELECT count(*) FROM {schema}.catalog_items").fetchone()
        assert rows == (3,)  # killed with copies of the read models
    finally:
        if replay.poll() is None:
            replay.kill()
            replay.wait()
    _worker_sweep(platform)  # sweeps replays too
    wait_until(lambda: _swept(platform, schema) is None, 10, "the sweep drops the schema")
    assert not _exists(database_url, schema)


def test_a_sweep_leaves_a_running_replay_alone(
    platform, reader, seeded, auditor, database_url, project, monkeypatch
):
    project()
    schema = replay_schema(seeded)
    during: dict[str, Any] = {}

    def progress(done: int, total: int) -> None:
        if not during:
            during["swept"] = _swept(platform, schema)
            during["exists"] = _exists(database_url, schema)
            monkeypatch.setattr(replay_module, "_LOCK_WAIT", 0.2)
            with pytest.raises(ReplayUnsettledError, match="already running"):
                replay_hall(reader, database_url, platform.worker_pool, seeded, [], auditor)

    report = replay_hall(
        reader,
        database_url,
        platform.worker_pool,
        seeded,
        all_projections(),
        auditor,
        batch_size=2,
        progress=progress,
    )
    assert during == {"swept": "running", "exists": True}
    assert report.identical, [t.samples for t in report.tables if not t.identical]
    assert not _exists(database_url, schema)  # dropped at its end, as before


@pytest.mark.parametrize("erased", ["during", "after"])
def test_a_kept_replay_schema_does_not_survive_an_erasure_in_its_hall(
    platform, reader, seeded, auditor, database_url, project, erased
):
    project()
    schema = replay_schema(seeded)
    wang = StaffMember.create_id(seeded, "S001")

    def erase() -> None:
        platform.hall_app(PrivacyService, seeded).erase_personal_data(
            f"record:{wang}", "离职人员请求删除", "admin-1"
        )

    def progress(done: int, total: int) -> None:
        if erased == "during" and done == 1:
            erase()  # the replay may have read the plaintext already

    report = replay_hall(
        reader,
        database_url,
        platform.worker_pool,
        seeded,
        all_projections(),
        auditor,
        batch_size=1,
        keep=True,
        progress=progress,
    )
    assert report.kept_until is not None
    if erased == "after":
        assert _swept(platform, schema) == "kept"  # kept for inspection, until …
        assert _exists(database_url, schema)
        erase()
    assert _swept(platform, schema) == "removed"
    assert not _exists(database_url, schema)


def test_a_kept_replay_schema_is_dropped_once_it_expires(
    platform, reader, seeded, auditor, database_url, project
):
    project()
    schema = replay_schema(seeded)
    report = replay_hall(
        reader,
        database_url,
        platform.worker_pool,
        seeded,
        all_projections(),
        auditor,
        keep=True,
        keep_for=timedelta(0),
    )
    assert report.kept_until is not None
    assert _exists(database_url, schema)
    assert _swept(platform, schema) == "removed"
    assert not _exists(database_url, schema)
