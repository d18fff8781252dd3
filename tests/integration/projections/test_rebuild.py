"""``yanshen rebuild``: a read model rebuilt from position 0 into fresh tables and swapped in
while readers query it and commands keep coming: no error, never an empty read model."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import psutil
import psycopg
import pytest
from psycopg import sql
from typer.testing import CliRunner

from deploy.bootstrap import all_projections
from deploy.cli import app
from projections.catalog import CatalogProjection, list_items
from projections.evaluations import EvaluationRatingsProjection
from projections.halls import get_hall
from projections.platform import (
    DeadlinesProjection,
    PlatformProjection,
    hall_activity,
    hall_overviews,
)
from projections.runtime import (
    HallRebuildError,
    ProjectionWorker,
    Rebuild,
    RebuildError,
    apply_next_batch,
)
from projections.runtime.locks import (
    held_against_swaps,
    hold_for_swap,
    release_rebuild,
    try_hold_for_rebuild,
)
from projections.runtime.shadow import create_shadow
from tests.integration.projections.support import (
    Writer,
    assert_identical_to_rebuild,
    caught_up,
    drive,
    heads,
    make_halls,
    wait_until,
)

HALLS = ["rb-a", "rb-b", "rb-c"]
runner = CliRunner()


@pytest.fixture(scope="module")
def halls(own_platform):
    made = make_halls(own_platform, HALLS)
    drive(made, 150)
    return made


@pytest.fixture
def live_worker(own_platform, db_url, halls) -> Iterator[ProjectionWorker]:
    """A projection worker running in a thread, as in production."""
    worker = ProjectionWorker(
        own_platform.worker_pool, all_projections(), poll_interval=0.05, batch_size=50
    )
    thread = threading.Thread(target=worker.run_forever, daemon=True)
    thread.start()
    wait_until(lambda: caught_up(db_url), 30, "the live worker catches up")
    yield worker
    worker.stop()
    thread.join(timeout=10)


class Readers:
    """Threads that query the read models in a loop and record every error or empty answer."""

    def __init__(self, platform: Any) -> None:
        self.platform = platform
        self.reads = 0
        self.problems: list[str] = []
        self._halt = threading.Event()
        self._threads = [threading.Thread(target=self._loop, daemon=True) for _ in range(3)]

    def _checks(self) -> list[tuple[str, Callable[[], Any]]]:
        app_pool, worker_pool = self.platform.app_pool, self.platform.worker_pool
        checks: list[tuple[str, Callable[[], Any]]] = [
            ("overview", lambda: hall_overviews(worker_pool))
        ]
        for hall in HALLS:
            checks += [
                (f"catalog {hall}", lambda h=hall: list_items(app_pool, h)),
                (f"hall {hall}", lambda h=hall: get_hall(app_pool, h)),
                (f"activity {hall}", lambda h=hall: hall_activity(app_pool, h)),
            ]
        return checks

    def _loop(self) -> None:
        checks = self._checks()
        while not self._halt.is_set():
            for what, query in checks:
                try:
                    if not query():
                        self.problems.append(f"{what}: empty")
                except Exception as error:
                    self.problems.append(f"{what}: {type(error).__name__}: {error}")
                self.reads += 1

    def __enter__(self) -> Readers:
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._halt.set()
        for t in self._threads:
            t.join(timeout=10)


def test_rebuilds_and_swaps_never_show_readers_an_error_or_an_empty_read_model(
    own_platform, db_url, halls, live_worker
):
    writer = Writer(halls, pause=0.01)
    writer.start()
    reports = []
    try:
        with Readers(own_platform) as readers:
            for projection in all_projections():
                reports.append(Rebuild(db_url, own_platform.worker_pool, projection).run())
            reports.append(Rebuild(db_url, own_platform.worker_pool, all_projections()).run())
            for hall in HALLS:
                job = Rebuild(db_url, own_platform.worker_pool, all_projections(), tenant=hall)
                reports.append(job.run())
            job = Rebuild(db_url, own_platform.worker_pool, CatalogProjection(), tenant="rb-a")
            reports.append(job.run())
            time.sleep(0.2)
    finally:
        writer.stop()
    assert readers.problems == []
    assert readers.reads > 100
    assert all(r.swapped and r.events > 0 for r in reports)
    wait_until(lambda: caught_up(db_url), 30, "the live worker catches up after the swaps")
    live_worker.stop()
    assert_identical_to_rebuild(db_url, own_platform.worker_pool)


def test_the_rebuild_command_shows_progress_and_swaps_in(monkeypatch, db_url, halls):
    monkeypatch.setenv("DATABASE_URL", db_url)
    result = runner.invoke(app, ["rebuild", "catalog", "--jobs", "2"])
    assert result.exit_code == 0, result.output
    assert "events/s" in result.output
    assert "catalog:" in result.output
    assert "swapped in" in result.output
    result = runner.invoke(app, ["rebuild", "all", "--tenant", "rb-b", "--batch-size", "100"])
    assert result.exit_code == 0, result.output
    assert "swapped in" in result.output
    assert all(p.name in result.output for p in all_projections())


def test_check_finds_rows_the_events_do_not_explain_and_a_hall_rebuild_repairs_them(
    monkeypatch, db_url, halls, own_platform
):
    monkeypatch.setenv("DATABASE_URL", db_url)
    own_platform.projection_worker().run_once()
    result = runner.invoke(app, ["rebuild", "catalog", "--check"])
    assert result.exit_code == 0, result.output
    assert "identical" in result.output
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(
            "UPDATE catalog_items SET name = '篡改' WHERE tenant_id = 'rb-a' AND code = 'ITEM-0001'"
        )
    result = runner.invoke(app, ["rebuild", "catalog", "--check"])
    assert result.exit_code == 1
    assert "DIFFERENT" in result.output
    assert "篡改" in result.output
    assert runner.invoke(app, ["rebuild", "catalog", "--tenant", "rb-a"]).exit_code == 0
    assert runner.invoke(app, ["rebuild", "catalog", "--check"]).exit_code == 0


def test_a_second_rebuild_of_the_same_projection_is_refused(
    monkeypatch, db_url, own_platform, halls
):
    monkeypatch.setenv("DATABASE_URL", db_url)
    with psycopg.connect(db_url, autocommit=True) as other:
        assert try_hold_for_rebuild(other, "catalog")
        with pytest.raises(RebuildError, match="already running"):
            Rebuild(db_url, own_platform.worker_pool, CatalogProjection()).run()
        result = runner.invoke(app, ["rebuild", "catalog"])
        assert result.exit_code == 2
        assert "rebuild failed: a rebuild of 'catalog' is already running" in result.output
        assert "the live read models are as they were" in result.output
        release_rebuild(other, "catalog")
    assert Rebuild(db_url, own_platform.worker_pool, CatalogProjection()).run().swapped


def test_a_shadow_left_by_an_interrupted_rebuild_is_replaced(db_url, own_platform, halls):
    own_platform.projection_worker().run_once()
    with psycopg.connect(db_url, autocommit=True) as conn:
        create_shadow(conn, CatalogProjection())
        conn.execute(
            "INSERT INTO yanshen_rebuild_catalog.catalog_items SELECT * FROM catalog_items"
        )
    report = Rebuild(db_url, own_platform.worker_pool, CatalogProjection()).check()
    assert report.identical
    assert report.halls_compared
    assert _shadows(db_url) == 0


def test_an_unknown_or_empty_hall_is_refused_and_nothing_is_written(
    monkeypatch, db_url, own_platform, halls
):
    monkeypatch.setenv("DATABASE_URL", db_url)
    before = _positions(db_url)
    with pytest.raises(RebuildError, match="unknown hall 'nosuch': it has no events"):
        Rebuild(db_url, own_platform.worker_pool, CatalogProjection(), tenant="nosuch").run()
    with pytest.raises(RebuildError, match="empty"):
        Rebuild(db_url, own_platform.worker_pool, CatalogProjection(), tenant="")
    for check in ([], ["--check"]):
        result = runner.invoke(app, ["rebuild", "catalog", "--tenant", "nosuch", *check])
        assert result.exit_code == 2, result.output
        assert "unknown hall 'nosuch'" in result.output
    assert _positions(db_url) == before


@pytest.mark.parametrize("option", ["--batch-size", "--jobs"])
@pytest.mark.parametrize("value", ["0", "-3"])
def test_a_batch_size_or_jobs_below_one_is_refused(monkeypatch, db_url, option, value):
    monkeypatch.setenv("DATABASE_URL", db_url)
    result = runner.invoke(app, ["rebuild", "catalog", option, value])
    assert result.exit_code == 2
    assert f"Invalid value for '{option}'" in result.output, result.output


def test_a_batch_size_or_jobs_below_one_is_refused_by_the_rebuild_itself(own_platform, db_url):
    for kwargs in ({"batch_size": 0}, {"jobs": 0}):
        with pytest.raises(RebuildError, match="at least 1"):
            Rebuild(db_url, own_platform.worker_pool, CatalogProjection(), **kwargs)


def test_a_busy_table_makes_the_swap_give_up_without_stalling_readers(db_url, own_platform, halls):
    """A long transaction holding a live table: each attempt waits at most
    ``table_lock_timeout`` for it (readers queue behind that wait, no longer), and the
    rebuild fails naming the session once the attempts run out; live tables unchanged."""
    own_platform.projection_worker().run_once()
    before = _catalog_rows(db_url)
    stop = threading.Event()
    errors: list[Exception] = []
    reads = 0

    def read() -> None:
        nonlocal reads
        with psycopg.connect(db_url, autocommit=True) as conn:
            conn.execute("SET lock_timeout = '3s'")  # the old swap held readers for 5 s
            while not stop.is_set():
                try:
                    conn.execute("SELECT count(*) FROM catalog_items").fetchone()
                    reads += 1
                except psycopg.Error as error:
                    errors.append(error)

    job = Rebuild(db_url, own_platform.worker_pool, CatalogProjection())
    job.swap_attempts, job.swap_backoff = 3, (0.2, 0.2)
    with psycopg.connect(db_url) as holder:
        holder.execute("SELECT count(*) FROM catalog_items").fetchone()  # open transaction
        pid = holder.info.backend_pid
        reader = threading.Thread(target=read)
        reader.start()
        try:
            with pytest.raises(RebuildError, match=rf"tables busy.*3 attempts.*pid {pid} \(idle"):
                job.run()
        finally:
            stop.set()
            reader.join()
        holder.rollback()
    assert errors == []
    assert reads > 0
    assert _catalog_rows(db_url) == before
    assert Rebuild(db_url, own_platform.worker_pool, CatalogProjection()).run().swapped


class _NewHallDuringTheSwap(Rebuild):
    """A hall gets its first events while the swap holds the projection's exclusive lock,
    and the live worker starts that hall's first batch; the final pass takes longer than the
    server's deadlock_timeout (1 s)."""

    def __init__(self, *args: Any, platform: Any, worker: ProjectionWorker, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.platform, self.worker = platform, worker
        self.live_errors: list[Exception] = []
        self.live: threading.Thread | None = None

    def _final_pass(self) -> int:
        if self.live is None:
            make_halls(self.platform, ["rb-new"])

            def live() -> None:
                try:
                    self.worker.run_once()
                except Exception as error:
                    self.live_errors.append(error)

            self.live = threading.Thread(target=live, daemon=True)
            self.live.start()
            time.sleep(1.5)
        return super()._final_pass()


def test_a_new_halls_first_live_batch_during_the_swap_waits_for_it_without_deadlock(
    db_url, own_platform, halls
):
    worker = ProjectionWorker(own_platform.worker_pool, [CatalogProjection()])
    worker.run_once()
    job = _NewHallDuringTheSwap(
        db_url, own_platform.worker_pool, CatalogProjection(), platform=own_platform, worker=worker
    )
    assert job.run().swapped
    assert job.live is not None
    job.live.join(10)
    worker.run_once()
    worker.close()
    assert job.live_errors == []
    assert Rebuild(db_url, own_platform.worker_pool, CatalogProjection()).check().identical


def test_a_rebuild_batch_without_its_shadow_fails_instead_of_writing_the_live_tables(
    db_url, own_platform, halls
):
    """A batch of a rebuild process that outlived its rebuild (the shadow dropped by the
    next one): its table names would resolve to the live tables."""
    own_platform.projection_worker().run_once()
    projection = PlatformProjection()  # counters: a batch applied twice adds up
    before = _table(db_url, "platform_activity")
    with (
        pytest.raises(psycopg.errors.InvalidSchemaName, match="yanshen_rebuild_platform"),
        own_platform.worker_pool.connection() as conn,
        conn.transaction(),
    ):
        apply_next_batch(
            conn,
            projection,
            consumer=f"{projection.consumer}@rebuild",
            tenant_id="rb-a",
            limit=5_000,
            topics=projection.topics(),
            live=False,
            schema="yanshen_rebuild_platform",
        )
    assert _table(db_url, "platform_activity") == before


def test_rebuild_processes_end_when_the_rebuild_process_is_killed(db_url, own_platform):
    script = f"""
import os
from projections.catalog import CatalogProjection
from projections.runtime.parallel import HallProcesses
from projections.runtime.tracking import Member
members = [Member.live(CatalogProjection())]
processes = HallProcesses({own_platform.worker_pool.conninfo!r}, members, jobs=1)
print(processes._start().submit(os.getpid).result(), flush=True)
os._exit(0)  # killed: no shutdown of the processes
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    child = psutil.Process(int(done.stdout.strip()))
    wait_until(
        lambda: not child.is_running() or child.status() == psutil.STATUS_ZOMBIE,
        10,
        "the orphaned rebuild process ends",
    )


def test_a_failing_clean_up_does_not_hide_why_the_rebuild_failed(
    monkeypatch, db_url, own_platform, halls
):
    resets = []
    reset = Rebuild._reset

    def build(self: Rebuild) -> int:
        raise ValueError("the reason")

    def failing_reset(self: Rebuild, admin: Any) -> None:
        resets.append(admin)
        if len(resets) > 1:  # the clean-up after the failure
            raise psycopg.OperationalError("the database went away")
        reset(self, admin)

    monkeypatch.setattr(Rebuild, "build", build)
    monkeypatch.setattr(Rebuild, "_reset", failing_reset)
    with pytest.raises(ValueError, match="the reason"):
        Rebuild(db_url, own_platform.worker_pool, CatalogProjection()).run()
    monkeypatch.undo()
    assert Rebuild(db_url, own_platform.worker_pool, CatalogProjection()).run().swapped


def test_a_rebuild_that_gives_up_stops_its_processes_after_their_current_batch(
    db_url, own_platform, halls, tmp_path
):
    projection = SlowCatalogOutsideHallA()
    projection.notes = str(tmp_path)

    def interrupt(done: int, total: int) -> None:
        if done:  # the first hall is through (rb-a, the fast one): Ctrl-C
            raise KeyboardInterrupt

    job = Rebuild(
        db_url, own_platform.worker_pool, projection, jobs=2, batch_size=5, progress=interrupt
    )
    with pytest.raises(KeyboardInterrupt):
        job.run()
    # Each slow hall has dozens of batches; the processes stopped after a few.
    assert len(list(tmp_path.iterdir())) < 10


def _table(url: str, table: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            sql.SQL("SELECT * FROM {} ORDER BY 1, 2, 3").format(sql.Identifier(table))
        ).fetchall()


def _shadows(url: str) -> int:
    """Rebuild schemas left in the database."""
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'yanshen_rebuild_%'"
        ).fetchone()
    return int(row[0]) if row else 0


def _positions(url: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT consumer, tenant_id, position FROM consumer_positions ORDER BY 1, 2"
        ).fetchall()


def test_the_cli_shows_each_phase_in_logs_and_an_interrupted_rebuild_changes_nothing(
    monkeypatch, db_url, own_platform, halls
):
    monkeypatch.setenv("DATABASE_URL", db_url)
    result = runner.invoke(app, ["rebuild", "catalog"])  # not a terminal: lines
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("catalog: ")]
    phases = [line.split(":")[1].strip() for line in lines]
    assert phases[:1] == ["building"], result.output
    assert "indexes and statistics" in phases
    assert "swapping" in phases
    before = _catalog_rows(db_url)

    def interrupted(self: Rebuild) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(Rebuild, "build", interrupted)
    result = runner.invoke(app, ["rebuild", "catalog"])
    assert result.exit_code == 130
    assert "rebuild interrupted; the live read models are as they were" in result.output
    assert _catalog_rows(db_url) == before
    assert _shadows(db_url) == 0


def test_an_unknown_projection_is_refused(monkeypatch, db_url):
    monkeypatch.setenv("DATABASE_URL", db_url)
    result = runner.invoke(app, ["rebuild", "nonesuch"])
    assert result.exit_code == 2
    assert "unknown projection" in result.output


class RatingsWithTheKeyDeferred(EvaluationRatingsProjection):
    """Evaluation ratings with their primary key's index listed as a reader index too (no
    handler of theirs needs it for ON CONFLICT), so that a rebuild defers a key (module
    level: rebuild processes unpickle it)."""

    sql_source = "projections.evaluations"
    reader_indexes = (*EvaluationRatingsProjection.reader_indexes, "evaluation_ratings_pkey")


@pytest.mark.parametrize("projection", [DeadlinesProjection(), RatingsWithTheKeyDeferred()])
def test_reader_indexes_are_left_out_while_building_and_there_after_the_swap(
    db_url, own_platform, halls, projection
):
    assert projection.reader_indexes
    Rebuild(db_url, own_platform.worker_pool, projection).run()
    with psycopg.connect(db_url) as conn:
        keys = conn.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'p'",
            (f"public.{projection.tables[0]}",),
        ).fetchall()
    assert set(projection.reader_indexes) <= _live_indexes(db_url, projection.tables[0])
    assert keys == [(f"{projection.tables[0]}_pkey",)]  # a deferred primary key is one again


class CatalogFailingInHallB(CatalogProjection):
    """The catalog, except that its batches of hall rb-b fail (module level: rebuild
    processes unpickle it)."""

    sql_source = "projections.catalog"

    def apply_batch(self, conn: Any, batch: Any) -> None:
        if batch.tenant_id == "rb-b":
            raise ValueError("no catalog for rb-b")
        super().apply_batch(conn, batch)


class SlowCatalogOutsideHallA(CatalogProjection):
    """The catalog, a tenth of a second per batch except in hall rb-a, noting each batch in
    a directory (module level: rebuild processes unpickle it)."""

    sql_source = "projections.catalog"
    notes = ""

    def apply_batch(self, conn: Any, batch: Any) -> None:
        if batch.tenant_id != "rb-a":
            time.sleep(0.1)
            with open(f"{self.notes}/{batch.tenant_id}-{batch.after}", "w"):
                pass
        super().apply_batch(conn, batch)


def _live_indexes(url: str, table: str) -> set[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND tablename = %s",
            (table,),
        ).fetchall()
    return {str(r[0]) for r in rows}


def _catalog_rows(url: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT * FROM catalog_items ORDER BY tenant_id, code").fetchall()


def test_halls_rebuilt_in_processes_give_the_live_read_models_and_count_every_position(
    db_url, own_platform, halls
):
    own_platform.projection_worker().run_once()
    seen: list[tuple[int, int]] = []
    job = Rebuild(
        db_url,
        own_platform.worker_pool,
        all_projections(),
        jobs=2,
        progress=lambda done, total: seen.append((done, total)),
    )
    report = job.check()
    assert report.identical, [d for d in report.differences if not d.identical]
    assert sorted(report.halls_compared) == sorted(heads(db_url))
    assert report.events == sum(heads(db_url).values())
    assert seen[-1] == (report.events, report.events)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)

    projection = DeadlinesProjection()
    report = Rebuild(db_url, own_platform.worker_pool, [projection], jobs=2).run()
    assert report.swapped
    assert report.events == sum(heads(db_url).values())
    with psycopg.connect(db_url) as conn:
        analyzed = conn.execute(
            "SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables"
            " WHERE schemaname = 'public' AND relname = %s",
            (projection.tables[0],),
        ).fetchone()
    assert set(projection.reader_indexes) <= _live_indexes(db_url, projection.tables[0])
    assert analyzed == (True,)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_hall_failing_in_a_rebuild_fails_the_rebuild_and_changes_nothing_live(
    db_url, own_platform, halls, jobs
):
    own_platform.projection_worker().run_once()
    before = _catalog_rows(db_url)
    job = Rebuild(db_url, own_platform.worker_pool, CatalogFailingInHallB(), jobs=jobs)
    with pytest.raises(HallRebuildError, match="hall rb-b: ValueError: no catalog for rb-b"):
        job.run()
    assert _catalog_rows(db_url) == before
    assert _shadows(db_url) == 0
    # the rebuild's hold is released: the next one runs
    assert Rebuild(db_url, own_platform.worker_pool, CatalogProjection(), jobs=2).run().swapped
    assert _catalog_rows(db_url) == before


def test_locks_against_swaps_that_fail_part_way_stay_on_no_pooled_connection(db_url, own_platform):
    """A swap of the worklist is under way; a reader's locks time out after taking the
    catalog's. Session locks outlive a failed statement: left held, every later swap of the
    catalog would fail while that connection idles in the pool."""
    with psycopg.connect(db_url, autocommit=True) as swap:
        swap.execute("BEGIN")
        hold_for_swap(swap, "worklist")
        with own_platform.worker_pool.connection() as conn:
            pid = conn.info.backend_pid
            conn.execute("SET statement_timeout = '300ms'")
            with (
                pytest.raises(psycopg.errors.QueryCanceled),
                held_against_swaps(conn, ["catalog", "worklist"]),
            ):
                pass
            conn.execute("RESET statement_timeout")
        swap.execute("ROLLBACK")
        row = swap.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = %s", (pid,)
        ).fetchone()
    assert row == (0,)


def test_a_swap_that_gives_up_names_who_holds_the_projections_batch_lock(
    db_url, own_platform, halls
):
    """E.g. an audit replay comparing the catalog: the operator learns which session."""
    job = Rebuild(db_url, own_platform.worker_pool, CatalogProjection())
    job.swap_attempts, job.swap_backoff, job.lock_timeout = 2, (0.1, 0.1), "300ms"
    with (
        psycopg.connect(db_url, autocommit=True) as replay,
        held_against_swaps(replay, ["catalog"]),
    ):
        pid = replay.info.backend_pid
        with pytest.raises(RebuildError, match=rf"tables busy.*2 attempts.*pid {pid} \(idle"):
            job.run()
    assert Rebuild(db_url, own_platform.worker_pool, CatalogProjection()).run().swapped
