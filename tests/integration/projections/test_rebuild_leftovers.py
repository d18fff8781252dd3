"""What an interrupted rebuild leaves (its shadow schema, with copies of personal data, and its
``…@rebuild`` positions) is swept by the next projection worker and the next rebuild, while a
running rebuild is never touched."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from typing import Any

import psycopg
import pytest

from projections.cases import CaseRegisterProjection
from projections.catalog import CatalogProjection
from projections.halls import HallsProjection
from projections.runtime import ProjectionWorker, Rebuild, RebuildError, sweep_stale_rebuilds
from projections.runtime.locks import release_rebuild, try_hold_for_rebuild
from projections.runtime.shadow import create_shadow
from services.cases import Applicant, CaseRequest, CaseService
from services.halls import HallRegistry
from services.privacy import ERASED, PrivacyService
from tests.integration.projections.support import ROOT, WorkerProcess, wait_until
from tests.integration.read_models.conftest import ITEM, _setup

SHADOW = "yanshen_rebuild_case_register"


def _request(platform: Any, hall: str, applicant: str, name: str) -> Any:
    person = Applicant(applicant, name, "110101199003070011", "13800000000")
    request = CaseRequest("ONSITE_GUIDANCE", ITEM, "企业设立登记", "HALL", person)
    return platform.hall_app(CaseService, hall).request_case(request, applicant)


def _case_hall(platform: Any, hall: str, subject: str, name: str, others: int) -> Any:
    """A hall whose first case is ``subject``'s, followed by ``others`` cases of others."""
    _setup(platform, hall)
    first = _request(platform, hall, subject, name)
    for i in range(others):
        _request(platform, hall, f"{hall}-x{i}", f"路人{i}")
    return first


def _project(platform: Any) -> None:
    """Bring every read model up to date (and hand the halls' leases back)."""
    worker = platform.projection_worker()
    worker.run_once()
    worker.close()


def _leftovers(url: str) -> tuple[list[str], list[str]]:
    """Rebuild schemas, and consumers with ``…@rebuild`` positions, in the database."""
    with psycopg.connect(url) as conn:
        schemas = conn.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'yanshen\\_rebuild\\_%' ORDER BY 1"
        ).fetchall()
        consumers = conn.execute(
            "SELECT DISTINCT consumer FROM consumer_positions WHERE consumer LIKE '%@rebuild'"
            " ORDER BY 1"
        ).fetchall()
    return [str(r[0]) for r in schemas], [str(r[0]) for r in consumers]


def _shadow_name(conn: psycopg.Connection[Any], case_id: Any) -> str | None:
    try:
        row = conn.execute(
            f"SELECT applicant_name FROM {SHADOW}.case_register WHERE case_id = %s", (case_id,)
        ).fetchone()
    except psycopg.errors.UndefinedTable:
        return None
    return str(row[0]) if row else None


def _live_name(url: str, case_id: Any) -> str:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT applicant_name FROM case_register WHERE case_id = %s", (case_id,)
        ).fetchone()
    assert row is not None
    return str(row[0])


def _sessions(conn: psycopg.Connection[Any], app_name: str) -> list[tuple[Any, ...]]:
    return conn.execute(
        "SELECT pid, state, left(query, 60) FROM pg_stat_activity WHERE application_name = %s",
        (app_name,),
    ).fetchall()


def _leave_catalog_leftovers(url: str) -> None:
    """What a rebuild of the catalog killed mid-way leaves: its shadow, with rows, and its
    positions (one per hall: the module's database must have one, whichever of its tests
    runs first)."""
    with psycopg.connect(url, autocommit=True) as conn:
        create_shadow(conn, CatalogProjection())
        conn.execute(
            "INSERT INTO yanshen_rebuild_catalog.catalog_items SELECT * FROM catalog_items"
        )
        positions = conn.execute(
            "INSERT INTO consumer_positions (consumer, tenant_id, position)"
            " SELECT 'projection:catalog@rebuild', tenant_id, 1 FROM tenant_heads"
            " ON CONFLICT DO NOTHING"
        ).rowcount
    assert positions > 0, "no hall: the rebuild would have left no positions"


def _register(platform: Any, hall: str) -> None:
    platform.hall_app(HallRegistry, hall).register_hall(f"大厅 {hall}", "苏州", "op")


@pytest.mark.parametrize("options", [["--tenant", "left-1"], ["--jobs", "2"]], ids=["hall", "all"])
def test_a_rebuild_killed_with_kill_9_leaves_no_personal_data_once_a_worker_starts(
    db_url, own_platform, options
):
    """The rebuild (one hall, or every hall in two processes) is killed while its shadow holds
    an applicant's name; the applicant is erased; a worker starts: the live register shows
    ``[erased]`` and neither the shadow nor the rebuild's positions are left."""
    hall = "left-1" if options[0] == "--tenant" else "left-2"
    subject = f"{hall}-subject"
    erased = _case_hall(own_platform, hall, subject, "南宫删除", 150)
    if options[0] == "--jobs":  # a second hall, so that the halls go to processes
        _case_hall(own_platform, "left-3", "left-3-subject", "北堂", 150)
    _project(own_platform)
    app_name = f"killed-rebuild-{hall}"
    rebuild = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "deploy.cli",
            "rebuild",
            "case_register",
            "--batch-size=1",
            *options,
        ],
        cwd=ROOT,
        env=dict(os.environ, DATABASE_URL=db_url, PGAPPNAME=app_name, YANSHEN_LOG_JSON="0"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with psycopg.connect(db_url, autocommit=True) as conn:
            deadline = time.monotonic() + 60
            while _shadow_name(conn, erased.id) is None and rebuild.poll() is None:
                assert time.monotonic() < deadline, "the rebuild never copied the name"
                time.sleep(0.01)
            rebuild.send_signal(signal.SIGKILL)
            rebuild.wait(timeout=10)
            # Its sessions (and its processes' ones) end once the server notices.
            deadline = time.monotonic() + 30
            while sessions := _sessions(conn, app_name):
                assert time.monotonic() < deadline, f"the rebuild's sessions live on: {sessions}"
                time.sleep(0.05)
            assert _shadow_name(conn, erased.id) == "南宫删除"  # killed before its swap
    finally:
        if rebuild.poll() is None:
            rebuild.kill()
            rebuild.wait()
    assert _leftovers(db_url) == ([SHADOW], ["projection:case_register@rebuild"])

    own_platform.hall_app(PrivacyService, hall).erase_personal_data(subject, "申请人请求删除", "a")
    worker = WorkerProcess(db_url, f"after-{app_name}", YANSHEN_POLL_INTERVAL="0.2").start()
    try:
        wait_until(lambda: _leftovers(db_url) == ([], []), 30, "the worker sweeps the leftovers")
        wait_until(lambda: _live_name(db_url, erased.id) == ERASED, 30, "the erasure is applied")
    finally:
        worker.stop()


def test_a_sweep_leaves_a_running_rebuild_alone_and_removes_what_a_dead_one_left(
    db_url, own_platform
):
    _case_hall(own_platform, "left-4", "left-4-subject", "东郭", 30)
    _project(own_platform)
    during: dict[str, Any] = {}

    def progress(done: int, total: int) -> None:
        if done and not during:  # a batch of the case register's rebuild has committed
            _leave_catalog_leftovers(db_url)  # (the rebuild swept at its start)
            during["before"] = _leftovers(db_url)
            with own_platform.worker_pool.connection() as conn:  # the worker role sweeps
                started = time.monotonic()
                during["swept"] = {s.projection: s.outcome for s in sweep_stale_rebuilds(conn)}
                during["seconds"] = time.monotonic() - started
            during["after"] = _leftovers(db_url)

    job = Rebuild(
        db_url, own_platform.worker_pool, CaseRegisterProjection(), batch_size=1, progress=progress
    )
    report = job.run()
    assert during["before"] == (
        ["yanshen_rebuild_case_register", "yanshen_rebuild_catalog"],
        ["projection:case_register@rebuild", "projection:catalog@rebuild"],
    )
    assert during["swept"] == {"case_register": "running", "catalog": "removed"}
    assert during["seconds"] < 10.0  # tried the rebuild's lock, never waited for it
    assert during["after"] == ([SHADOW], ["projection:case_register@rebuild"])
    assert report.swapped
    assert _leftovers(db_url) == ([], [])


def test_a_rebuild_sweeps_what_an_interrupted_rebuild_of_another_projection_left(
    db_url, own_platform
):
    _register(own_platform, "left-5")
    _project(own_platform)
    _leave_catalog_leftovers(db_url)
    assert Rebuild(db_url, own_platform.worker_pool, HallsProjection()).run().swapped
    assert _leftovers(db_url) == ([], [])


def test_a_worker_sweeps_at_its_first_round_and_never_waits_for_a_shadow_in_use(
    db_url, own_platform
):
    """An orphaned rebuild process's last batch still holds the shadow's tables: the sweep
    leaves them (``busy``) without waiting, and the next sweep removes them."""
    _register(own_platform, "left-6")
    _leave_catalog_leftovers(db_url)
    worker = ProjectionWorker(own_platform.worker_pool, [CatalogProjection()])
    with psycopg.connect(db_url) as orphan:
        orphan.execute("LOCK TABLE yanshen_rebuild_catalog.catalog_items IN ROW EXCLUSIVE MODE")
        started = time.monotonic()
        worker.run_once()
        assert time.monotonic() - started < 2.0
        assert _leftovers(db_url) == (
            ["yanshen_rebuild_catalog"],
            ["projection:catalog@rebuild"],
        )
        with own_platform.worker_pool.connection() as conn:
            assert [(s.projection, s.outcome) for s in sweep_stale_rebuilds(conn)] == [
                ("catalog", "busy")
            ]
        orphan.rollback()
    worker.run_once()  # not due yet: the next sweep comes after sweep_interval
    assert _leftovers(db_url) != ([], [])
    worker.sweep_interval = 0.0
    worker.run_once()
    worker.close()
    assert _leftovers(db_url) == ([], [])


def test_a_rebuild_waits_out_a_sweep_but_not_a_running_rebuild(db_url, own_platform):
    """A sweep holds a free rebuild lock for a moment: a rebuild starting then waits for it;
    another rebuild's lock, held throughout, still refuses it after ``hold_wait``."""
    with psycopg.connect(db_url, autocommit=True) as sweep:
        sweep.execute("BEGIN")
        sweep.execute("SELECT pg_advisory_xact_lock(1498415106, hashtext('catalog'))")
        job = Rebuild(db_url, own_platform.worker_pool, CatalogProjection())
        started = time.monotonic()
        releaser = _after(0.5, lambda: sweep.execute("COMMIT"))
        assert job.run().swapped
        releaser.join()
        assert time.monotonic() - started >= 0.5
    with psycopg.connect(db_url, autocommit=True) as other:
        assert try_hold_for_rebuild(other, "catalog")
        job = Rebuild(db_url, own_platform.worker_pool, CatalogProjection())
        job.hold_wait = 0.3
        with pytest.raises(RebuildError, match="already running"):
            job.run()
        release_rebuild(other, "catalog")


def _after(seconds: float, action: Any) -> threading.Thread:
    def run() -> None:
        time.sleep(seconds)
        action()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_a_rebuild_process_that_starts_after_its_rebuild_was_killed_ends(own_platform):
    """Killed while its processes start, a rebuild leaves processes reparented before they
    watch their parent: they must end too (and close their sessions), not idle for good."""
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    script = f"""
import multiprocessing, time
from projections.runtime.parallel import _start
stop = multiprocessing.get_context("spawn").Event()
_start({own_platform.worker_pool.conninfo!r}, [], stop, {int(gone.stdout)})
time.sleep(60)
"""
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        timeout=30,
        check=False,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr  # ended by its watch, not by an error
    assert time.monotonic() - started < 20
