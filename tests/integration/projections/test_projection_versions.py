"""Projection versions: the database records which version of a projection's code built its
live tables; a worker with newer code rebuilds them online (one rebuild among several
workers, redone after a kill), a worker with older code applies nothing to them, and a new
install rebuilds nothing."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from prometheus_client import REGISTRY
from psycopg import sql
from typer.testing import CliRunner

from deploy.bootstrap import Platform, all_projections
from deploy.cli import app
from projections.cases import CaseRegisterProjection
from projections.catalog import CatalogProjection
from projections.halls import HallsProjection
from projections.runtime import ProjectionWorker, Rebuild
from projections.runtime import rebuild as rebuild_module
from projections.runtime.errors import (
    ProjectionOutdatedError,
    RebuildError,
    RebuildVersionError,
)
from projections.runtime.locks import release_rebuild, try_hold_for_rebuild
from projections.runtime.tracking import apply_next_batch
from services.cases import Applicant, CaseRequest, CaseService
from tests.fixtures.postgres import fresh_database
from tests.integration.projections.support import (
    ROOT,
    Hall,
    WorkerProcess,
    make_halls,
    open_platform,
    wait_until,
)
from tests.integration.read_models.conftest import ITEM, _setup

MIGRATION = Path(ROOT, "projections/runtime/sql/0003_projection_versions.sql")
_numbers = itertools.count()


class CatalogV2(CatalogProjection):
    """The catalog after a change that makes rows built by version 1 wrong."""

    version = 2
    sql_source = "projections.catalog"  # a subclass outside the package: its SQL files


@pytest.fixture
def fresh(admin_database_url: str, worker_id: str) -> Iterator[Platform]:
    """A platform on a database of the test's own (versions are per database)."""
    name = f"yanshen_test_versions_{worker_id}_{next(_numbers)}"
    url = fresh_database(admin_database_url, name, record_versions=False)
    platform = open_platform(url)
    yield platform
    platform.close()
    with psycopg.connect(admin_database_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def _worker(platform: Platform, projections: list[Any], **kwargs: Any) -> ProjectionWorker:
    return ProjectionWorker(
        platform.worker_pool, projections, database_url=platform.database_url, **kwargs
    )


def _versions(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT projection, version FROM projection_versions").fetchall()
    return {str(name): int(version) for name, version in rows}


def _set_version(url: str, projection: str, version: int) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "UPDATE projection_versions SET version = %s WHERE projection = %s",
            (version, projection),
        )


def _names(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT name FROM catalog_items ORDER BY code").fetchall()
    return [str(r[0]) for r in rows]


def _position(url: str, consumer: str, hall: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT position FROM consumer_positions WHERE consumer = %s AND tenant_id = %s",
            (consumer, hall),
        ).fetchone()
    return int(row[0]) if row else 0


def _gauge(name: str, **labels: str) -> float | None:
    return REGISTRY.get_sample_value(name, labels)


def _stale_catalog(platform: Platform) -> list[Hall]:
    """Halls whose catalog a version-1 worker built, with rows the old code got "wrong"."""
    halls = make_halls(platform, ["v-a", "v-b"])
    worker = _worker(platform, [CatalogProjection()])
    worker.run_once()
    worker.close()
    assert _versions(platform.database_url) == {"catalog": 1}
    with psycopg.connect(platform.database_url, autocommit=True) as conn:
        conn.execute("UPDATE catalog_items SET name = 'built by version 1'")
    return halls


def test_a_new_install_records_the_code_versions_and_rebuilds_nothing(fresh, monkeypatch):
    make_halls(fresh, ["new-1"])  # events before the first round: still nothing applied

    def no_rebuild(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a new install must not rebuild")

    monkeypatch.setattr("projections.runtime.upgrade.Rebuild", no_rebuild)
    worker = _worker(fresh, all_projections())
    worker.run_once()
    assert not worker.upgrades.running
    worker.upgrades.check_interval = 0.0
    worker.run_once()
    worker.close()
    expected = {p.name: p.version for p in all_projections() if p.tables}
    assert _versions(fresh.database_url) == expected
    assert expected["queue_board"] == 2  # code versions above 1 were recorded as they are
    assert worker.upgrades.reports == []
    assert _gauge("yanshen_projection_rebuild_pending", projection="queue_board") == 0
    assert len(_names(fresh.database_url)) == 5


def test_a_database_from_before_versions_gets_the_read_models_changed_since_rebuilt(fresh):
    """Built before versions were recorded (the migration's look at it: version 1), the
    case register (version 2 now) is rebuilt and swapped by the worker; the catalog
    (version 1) is left alone."""
    _setup(fresh, "old-1")
    person = Applicant("old-1-a", "欧阳", "110101199003070011", "13800000000")
    request = CaseRequest("ONSITE_GUIDANCE", ITEM, "企业设立登记", "HALL", person)
    fresh.hall_app(CaseService, "old-1").request_case(request, "old-1-a")
    old = _worker(fresh, [CatalogProjection(), CaseRegisterProjection()])
    old.run_once()
    old.close()
    with psycopg.connect(fresh.database_url, autocommit=True) as conn:
        conn.execute("DELETE FROM projection_versions")  # as before the migration
        conn.execute(MIGRATION.read_bytes())
        conn.execute("UPDATE case_register SET applicant_name = 'old rows'")
    assert _versions(fresh.database_url) == {"catalog": 1, "case_register": 1}

    worker = _worker(fresh, [CatalogProjection(), CaseRegisterProjection()])
    worker.run_once()
    assert worker.upgrades.join(60)
    worker.close()
    assert [r.projection for r in worker.upgrades.reports] == ["case_register"]
    assert _versions(fresh.database_url) == {"catalog": 1, "case_register": 2}
    with psycopg.connect(fresh.database_url) as conn:
        names = conn.execute("SELECT applicant_name FROM case_register").fetchall()
    assert names == [("欧阳",)]


def test_a_read_model_built_by_an_older_version_is_rebuilt_online_and_swapped(fresh, caplog):
    _stale_catalog(fresh)
    caplog.set_level(logging.INFO, logger="projections.runtime")
    worker = _worker(fresh, [CatalogV2(), HallsProjection()])
    worker.run_once()
    assert worker.upgrades.join(60)
    worker.close()
    (report,) = worker.upgrades.reports
    assert report.swapped
    assert report.versions == {"catalog": 2}
    assert _versions(fresh.database_url)["catalog"] == 2
    assert "built by version 1" not in _names(fresh.database_url)
    check = Rebuild(fresh.database_url, fresh.worker_pool, CatalogV2()).check()
    assert check.identical
    assert sorted(check.halls_compared) == ["v-a", "v-b"]
    assert _gauge("yanshen_projection_version", projection="catalog", state="live") == 2
    assert _gauge("yanshen_projection_version", projection="catalog", state="code") == 2
    assert _gauge("yanshen_projection_rebuild_pending", projection="catalog") == 0
    messages = [r.getMessage() for r in caplog.records]
    assert any("built by version 1, the code is version 2: rebuilding" in m for m in messages)
    assert any("rebuilt for version 2 and swapped in" in m for m in messages)

    result = CliRunner().invoke(app, ["projections"], env={"DATABASE_URL": fresh.database_url})
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line.split()[1:4] for line in result.output.splitlines()[1:]}
    assert lines["catalog"] == ["1", "2", "this"]  # this code is older than the live tables
    assert lines["halls"] == ["1", "1", "current"]
    # Never applied to: the command's migration step recorded the code's version for it.
    assert lines["queue_board"] == ["2", "2", "current"]


def test_two_workers_rebuild_a_read_model_once(fresh, monkeypatch):
    _stale_catalog(fresh)
    swaps: list[str] = []
    swap_tables = rebuild_module.swap_tables

    def counted(conn: Any, projection: Any) -> None:
        swaps.append(projection.name)
        swap_tables(conn, projection)

    monkeypatch.setattr(rebuild_module, "swap_tables", counted)
    first = _worker(fresh, [CatalogV2()], rebuild_batch_size=1)
    second = _worker(fresh, [CatalogV2()], rebuild_batch_size=1)
    first.run_once()
    second.run_once()
    assert first.upgrades.join(60)
    assert second.upgrades.join(60)
    second.upgrades.check_interval = 0.0
    second.run_once()  # looks again: the version is recorded by now
    assert second.upgrades.join(60)
    first.close()
    second.close()
    assert swaps == ["catalog"]
    reports = first.upgrades.reports + second.upgrades.reports
    assert sum(r.swapped for r in reports) == 1
    assert _versions(fresh.database_url)["catalog"] == 2


def test_a_worker_skips_a_rebuild_another_runs_and_does_it_later(fresh, caplog):
    """Another worker's rebuild holds the rebuild lock: this one gives up after the rebuild's
    ``hold_wait`` (live batches going on), and rebuilds at a later look once it is free."""
    _stale_catalog(fresh)
    caplog.set_level(logging.INFO, logger="projections.runtime")
    with psycopg.connect(fresh.database_url, autocommit=True) as other:
        assert try_hold_for_rebuild(other, "catalog")
        worker = _worker(fresh, [CatalogV2()])
        worker.run_once()
        assert worker.upgrades.join(30)
        assert worker.upgrades.reports == []
        assert _versions(fresh.database_url)["catalog"] == 1
        assert _gauge("yanshen_projection_rebuild_pending", projection="catalog") == 1
        assert any("another process is rebuilding it" in r.getMessage() for r in caplog.records)
        release_rebuild(other, "catalog")
    worker.upgrades.check_interval = 0.0
    worker.run_once()
    assert worker.upgrades.join(60)
    worker.close()
    assert [r.swapped for r in worker.upgrades.reports] == [True]
    assert _versions(fresh.database_url)["catalog"] == 2


def test_a_worker_stopped_during_its_automatic_rebuild_cancels_it_and_leaves_the_old_tables(
    fresh,
):
    _stale_catalog(fresh)
    drive_catalog = make_halls(fresh, [f"many-{i}" for i in range(6)])
    for hall in drive_catalog:
        for _ in range(20):
            hall.publish()
    worker = _worker(fresh, [CatalogV2()], rebuild_batch_size=1)
    worker.run_once()
    assert worker.upgrades.running
    worker.close()  # cancels the rebuild and waits for its clean-up
    assert not worker.upgrades.running
    assert worker.upgrades.reports == []
    assert _versions(fresh.database_url)["catalog"] == 1
    assert "built by version 1" in _names(fresh.database_url)
    with psycopg.connect(fresh.database_url) as conn:
        shadows = conn.execute(
            "SELECT count(*) FROM pg_namespace WHERE nspname = 'yanshen_rebuild_catalog'"
        ).fetchone()
    assert shadows == (0,)


def test_a_rebuild_that_finds_the_version_recorded_meanwhile_does_nothing(fresh):
    _stale_catalog(fresh)
    _set_version(fresh.database_url, "catalog", 2)
    job = Rebuild(fresh.database_url, fresh.worker_pool, CatalogV2(), outdated_only=True)
    report = job.run()
    assert not report.swapped
    assert report.events == 0
    assert report.up_to_date == ["catalog"]
    assert set(_names(fresh.database_url)) == {"built by version 1"}


def test_yanshen_rebuild_records_its_version(fresh):
    _stale_catalog(fresh)
    report = Rebuild(fresh.database_url, fresh.worker_pool, CatalogV2()).run()
    assert report.versions == {"catalog": 2}
    assert _versions(fresh.database_url)["catalog"] == 2
    hall = Rebuild(fresh.database_url, fresh.worker_pool, CatalogV2(), tenant="v-a").run()
    assert hall.swapped
    assert hall.versions == {}  # one hall: not the whole model
    assert _versions(fresh.database_url)["catalog"] == 2


def _no_rebuild_left(url: str) -> None:
    """Nothing of a refused rebuild stays: no shadow, no positions, its locks free."""
    with psycopg.connect(url, autocommit=True) as conn:
        shadows = conn.execute(
            "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'yanshen\\_rebuild\\_%'"
        ).fetchone()
        positions = conn.execute(
            "SELECT count(*) FROM consumer_positions WHERE consumer LIKE '%@rebuild'"
        ).fetchone()
        assert try_hold_for_rebuild(conn, "catalog")
        release_rebuild(conn, "catalog")
    assert shadows == (0,)
    assert positions == (0,)


def test_a_hall_rebuild_with_newer_code_than_the_live_tables_is_refused(fresh):
    """Version-2 rows for one hall in version-1 tables: refused, the full rebuild is named."""
    _stale_catalog(fresh)
    job = Rebuild(fresh.database_url, fresh.worker_pool, CatalogV2(), tenant="v-a")
    with pytest.raises(RebuildVersionError) as refused:
        job.run()
    assert str(refused.value) == (
        "catalog: its live tables were built by version 1, this code is version 2: a one-hall"
        " rebuild would mix version-2 rows into version-1 tables; rebuild the whole read model"
        " instead (`yanshen rebuild catalog`, or let the projection worker do it)"
    )
    assert set(_names(fresh.database_url)) == {"built by version 1"}
    assert _versions(fresh.database_url)["catalog"] == 1
    _no_rebuild_left(fresh.database_url)


def _cli(platform: Platform, monkeypatch: Any, projections: list[Any], *args: str) -> Any:
    """``yanshen rebuild …`` with ``projections`` as the code's read models."""
    monkeypatch.setattr("deploy.bootstrap.all_projections", lambda: projections)
    env = {"DATABASE_URL": platform.database_url}
    return CliRunner().invoke(app, ["rebuild", *args], env=env)


def test_a_hall_rebuild_with_older_code_than_the_live_tables_is_refused(fresh, monkeypatch):
    """A rolling upgrade: the old release's CLI must not write version-1 rows into the
    version-2 tables (nothing would ever correct them)."""
    make_halls(fresh, ["old-cli-a", "old-cli-b"])
    assert Rebuild(fresh.database_url, fresh.worker_pool, CatalogV2()).run().swapped
    with psycopg.connect(fresh.database_url, autocommit=True) as conn:
        conn.execute("UPDATE catalog_items SET name = 'built by version 2'")
    result = _cli(fresh, monkeypatch, [CatalogProjection()], "catalog", "--tenant", "old-cli-a")
    assert result.exit_code == 2, result.output
    output = " ".join(result.output.split())
    assert "rebuild failed: catalog: its live tables were built by version 2" in output
    assert "this code is older (version 1)" in output
    assert "run `yanshen rebuild catalog --tenant old-cli-a` of the release" in output
    assert "the live read models are as they were" in output
    assert set(_names(fresh.database_url)) == {"built by version 2"}
    assert _versions(fresh.database_url)["catalog"] == 2
    _no_rebuild_left(fresh.database_url)


def test_a_full_rebuild_with_older_code_is_refused_unless_a_downgrade(fresh, monkeypatch):
    make_halls(fresh, ["down-a"])
    assert Rebuild(fresh.database_url, fresh.worker_pool, CatalogV2()).run().swapped
    with psycopg.connect(fresh.database_url, autocommit=True) as conn:
        conn.execute("UPDATE catalog_items SET name = 'built by version 2'")
    result = _cli(fresh, monkeypatch, [CatalogProjection()], "catalog")
    assert result.exit_code == 2, result.output
    output = " ".join(result.output.split())
    assert "this code is older (version 1)" in output
    assert "add --downgrade when rolling back to this release" in output
    assert set(_names(fresh.database_url)) == {"built by version 2"}
    assert _versions(fresh.database_url)["catalog"] == 2
    _no_rebuild_left(fresh.database_url)
    with pytest.raises(RebuildError, match="not one hall"):
        Rebuild(
            fresh.database_url,
            fresh.worker_pool,
            CatalogProjection(),
            tenant="down-a",
            downgrade=True,
        )

    result = _cli(fresh, monkeypatch, [CatalogProjection()], "catalog", "--downgrade")
    assert result.exit_code == 0, result.output
    assert "catalog version 1 recorded" in " ".join(result.output.split())
    assert "built by version 2" not in _names(fresh.database_url)
    assert _versions(fresh.database_url)["catalog"] == 1


def test_a_check_compares_across_versions_and_says_so(fresh, monkeypatch):
    """``--check`` swaps nothing: it runs with another version (to see the rows that differ)
    and names the versions; with a hall too."""
    _stale_catalog(fresh)
    for args in (["catalog", "--check"], ["catalog", "--check", "--tenant", "v-a"]):
        result = _cli(fresh, monkeypatch, [CatalogV2()], *args)
        assert result.exit_code == 1, result.output  # the rows "version 1 got wrong"
        output = " ".join(result.output.split())
        assert "DIFFERENT catalog_items" in output
        assert "catalog: the live tables were built by version 1, this code is another" in output
    assert _versions(fresh.database_url)["catalog"] == 1


def test_a_hall_rebuild_first_records_the_version_of_a_new_install(fresh):
    """No version recorded yet (nothing ran the migration's look): the hall rebuild makes it,
    finds a new install at the code's version and goes on."""
    make_halls(fresh, ["new-a"])
    assert _versions(fresh.database_url) == {}
    report = Rebuild(fresh.database_url, fresh.worker_pool, CatalogV2(), tenant="new-a").run()
    assert report.swapped
    assert _versions(fresh.database_url) == {"catalog": 2}
    assert len(_names(fresh.database_url)) == 5


def test_an_older_worker_stops_applying_events_to_tables_a_newer_version_built(fresh, caplog):
    """A rolling upgrade: a version-1 worker runs on while a newer one swaps version-2
    tables in. Its next batch leaves the catalog alone (logged, exported); the halls go on."""
    (hall, _) = make_halls(fresh, ["roll-1", "roll-2"])
    old = _worker(fresh, [CatalogProjection(), HallsProjection()])
    old.run_once()
    assert Rebuild(fresh.database_url, fresh.worker_pool, CatalogV2()).run().swapped
    caplog.set_level(logging.ERROR, logger="projections.runtime")
    hall.publish()
    make_halls(fresh, ["roll-3"])
    before = _position(fresh.database_url, "projection:catalog", "roll-1")
    old.run_once()
    assert _position(fresh.database_url, "projection:catalog", "roll-1") == before
    assert len(_names(fresh.database_url)) == 10  # roll-1's sixth item and roll-3's: not in
    with psycopg.connect(fresh.database_url) as conn:
        halls = conn.execute("SELECT count(*) FROM halls").fetchone()
    assert halls == (3,)  # the other read model goes on
    assert "projection:catalog" not in old.group.members
    (error,) = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert "projection catalog: its live tables were built by version 2" in error
    assert "this worker runs version 1" in error
    assert _gauge("yanshen_projection_code_outdated", projection="catalog") == 1
    old.close()
    with (
        fresh.worker_pool.connection() as conn,
        conn.transaction(),
        pytest.raises(ProjectionOutdatedError),
    ):
        apply_next_batch(
            conn,
            CatalogProjection(),
            consumer="projection:catalog",
            tenant_id="roll-1",
            limit=100,
            topics=CatalogProjection().topics(),
        )
    new = _worker(fresh, [CatalogV2(), HallsProjection()])
    new.run_once()
    new.close()
    assert len(_names(fresh.database_url)) == 16


def _case_hall(platform: Platform, hall: str, cases: int) -> None:
    _setup(platform, hall)
    for i in range(cases):
        person = Applicant(f"{hall}-{i}", f"申请人{i}", "110101199003070011", "13800000000")
        request = CaseRequest("ONSITE_GUIDANCE", ITEM, "企业设立登记", "HALL", person)
        platform.hall_app(CaseService, hall).request_case(request, f"{hall}-{i}")


def _shadow_rows(conn: psycopg.Connection[Any]) -> int:
    try:
        row = conn.execute(
            "SELECT count(*) FROM yanshen_rebuild_case_register.case_register"
        ).fetchone()
    except psycopg.errors.UndefinedTable:
        return 0
    return int(row[0]) if row else 0


def test_a_worker_killed_in_its_automatic_rebuild_leaves_the_old_tables_and_the_next_redoes_it(
    fresh,
):
    url = fresh.database_url
    _case_hall(fresh, "kill-1", 150)
    worker = _worker(fresh, all_projections())
    worker.run_once()
    worker.close()
    _set_version(url, "case_register", 1)  # built by version 1, the code is version 2
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("UPDATE case_register SET applicant_name = 'version 1'")

    app_name = "killed-upgrade"
    killed = WorkerProcess(url, app_name, YANSHEN_REBUILD_BATCH="1").start()
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            wait_until(lambda: _shadow_rows(conn) > 0, 60, "the automatic rebuild builds")
            killed.kill()
            wait_until(
                lambda: (
                    not conn.execute(
                        "SELECT 1 FROM pg_stat_activity WHERE application_name = %s", (app_name,)
                    ).fetchone()
                ),
                30,
                "the killed worker's sessions end",
            )
            names = conn.execute("SELECT DISTINCT applicant_name FROM case_register").fetchall()
            assert names == [("version 1",)]  # the old tables still serve
    finally:
        killed.stop()
    assert _versions(url)["case_register"] == 1

    following = WorkerProcess(url, "after-kill", YANSHEN_POLL_INTERVAL="0.2").start()
    try:
        wait_until(lambda: _versions(url)["case_register"] == 2, 90, "the next worker rebuilds")
    finally:
        following.stop()
    with psycopg.connect(url) as conn:
        stale = conn.execute(
            "SELECT count(*) FROM case_register WHERE applicant_name = 'version 1'"
        ).fetchone()
        shadows = conn.execute(
            "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'yanshen\\_rebuild\\_%'"
        ).fetchone()
    assert stale == (0,)
    assert shadows == (0,)
    check = Rebuild(url, fresh.worker_pool, CaseRegisterProjection()).check()
    assert check.identical
    assert check.halls_compared == ["kill-1"]
