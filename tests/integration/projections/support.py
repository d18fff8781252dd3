"""Support for the projection runtime's tests: a database of their own, real halls with real
commands, real worker processes (``yanshen project``), and read-model checks."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg

from deploy.bootstrap import Platform, all_projections
from deploy.settings import Settings
from projections.runtime import Rebuild, RebuildReport
from services.catalog import CatalogService
from services.catalog.application import ItemTerms
from services.evaluations import EvaluationService, Invitation, Rating
from services.halls import HallRegistry
from services.rectifications import RectificationService
from services.shared.errors import DomainError
from services.shared.working_days import CHINA_TZ
from services.store import open_pool

ROOT = Path(__file__).resolve().parents[3]

BAD = Rating(level="DISSATISFIED", scores={"OVERALL": 2}, comment="等太久")
GOOD = Rating(level="SATISFIED", scores={"OVERALL": 4})


def open_platform(url: str) -> Platform:
    return Platform(
        settings=Settings(database_url=url),
        database_url=url,
        app_pool=open_pool(url, "app", max_size=12),
        worker_pool=open_pool(url, "worker", max_size=8),
    )


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> float:
    """Poll ``condition`` until true; returns the seconds it took; fails after ``timeout``."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"not within {timeout:.0f} s: {what}")
        time.sleep(0.02)
    return time.monotonic() - start


# -- workload ---------------------------------------------------------------------------------


@dataclass
class Hall:
    """One hall driven by real commands: catalog, evaluations (appeals upheld too),
    rectifications (withdrawn ones too)."""

    platform: Platform
    hall_id: str
    rng: random.Random
    items: list[str] = field(default_factory=list)
    withdrawn: set[str] = field(default_factory=set)
    rectifications: list[Any] = field(default_factory=list)
    rated: int = 0

    def register(self, items: int = 5) -> None:
        self.platform.hall_app(HallRegistry, self.hall_id).register_hall(
            f"大厅 {self.hall_id}", "苏州", "op"
        )
        for _ in range(items):
            self.publish()

    @property
    def catalog(self) -> CatalogService:
        return self.platform.hall_app(CatalogService, self.hall_id)

    def publish(self) -> None:
        code = f"ITEM-{len(self.items):04d}"
        self.catalog.publish_service_item(code, self._terms(), "admin")
        self.items.append(code)

    def _terms(self) -> ItemTerms:
        return ItemTerms(
            name=f"帮办代办 {self.rng.randrange(1000)}",
            category="ASSISTANCE",
            materials=["身份证"] * self.rng.randrange(3),
            promised_working_days=self.rng.randrange(1, 10),
        )

    def step(self) -> None:
        """One random command (catalog revisions dominate, as they are cheapest)."""
        roll = self.rng.random()
        try:
            if roll < 0.6:
                live = [c for c in self.items if c not in self.withdrawn]
                self.catalog.revise_service_item(self.rng.choice(live), self._terms(), "admin")
            elif roll < 0.7:
                self.publish()
            elif roll < 0.73 and len(self.items) - len(self.withdrawn) > 2:
                code = self.rng.choice([c for c in self.items if c not in self.withdrawn])
                self.catalog.withdraw_service_item(code, "停办", "admin")
                self.withdrawn.add(code)
            elif roll < 0.88:
                self.rate()
            else:
                self.advance_rectification()
        except DomainError:
            pass  # a refused command records nothing; the workload goes on

    def rate(self) -> None:
        evaluations = self.platform.hall_app(EvaluationService, self.hall_id)
        self.rated += 1
        invitation = Invitation(
            subject_kind="MATTER", subject_ref=f"M-{self.rated:05d}", channel="ONLINE"
        )
        invited = evaluations.invite_evaluation(invitation, "S001")
        evaluation = invited.evaluation
        bad = self.rng.random() < 0.5
        rating = BAD if bad else GOOD
        evaluations.submit_rating(
            evaluation.id, rating, "applicant", rating_code=invited.rating_code
        )
        if bad:
            from services.evaluations.policies import rectification_id_for

            self.rectifications.append(rectification_id_for(evaluation))

    def advance_rectification(self) -> None:
        if not self.rectifications:
            return
        app = self.platform.hall_app(RectificationService, self.hall_id)
        rid = self.rng.choice(self.rectifications)
        rectification = app.get_rectification(rid)
        status = rectification.status.value
        if status == "OPEN":
            app.record_verification_call(rid, True, "核实", "S002")
        elif status == "VERIFIED" and self.rectifications.index(rid) % 2:
            # 甄别剔除: every other rating is excluded on appeal, which withdraws (撤销) its
            # rectification in the same save (no random draw: the workload stays as it was)
            evaluations = self.platform.hall_app(EvaluationService, self.hall_id)
            evaluation_id = UUID(rectification.source_id)
            evaluations.appeal_rating(evaluation_id, "MALICIOUS", "与服务无关", "S001")
            evaluations.exclude_rating(evaluation_id, "恶意差评", "sup-1")
        elif status == "VERIFIED":
            app.enter_ledger(rid, ["整改"], "S002")
        elif status == "IN_PROGRESS":
            app.complete(rid, ["完成"], "S002")
        elif status == "COMPLETED":
            app.feed_back(rid, "PHONE", "已反馈", "S002")


def make_halls(platform: Platform, names: list[str], seed: int = 5) -> list[Hall]:
    halls = [Hall(platform, name, random.Random(f"{seed}/{name}")) for name in names]
    for hall in halls:
        hall.register()
    return halls


def drive(halls: list[Hall], steps: int) -> None:
    """``steps`` commands per hall, halls interleaved."""
    for _ in range(steps):
        for hall in halls:
            hall.step()


class Writer(threading.Thread):
    """Commands in the background until :meth:`stop` (a steady write load)."""

    def __init__(self, halls: list[Hall], pause: float = 0.0) -> None:
        super().__init__(daemon=True)
        self.halls = halls
        self.pause = pause
        self.error: BaseException | None = None
        self._halt = threading.Event()

    def run(self) -> None:
        try:
            while not self._halt.is_set():
                self.halls[0].rng.choice(self.halls).step()
                if self.pause:
                    time.sleep(self.pause)
        except BaseException as error:  # reported by stop()
            self.error = error

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=30)
        if self.error is not None:
            raise self.error


# -- worker processes -------------------------------------------------------------------------


class WorkerProcess:
    """A real ``yanshen project`` process (or another ``command``) on the test database."""

    def __init__(
        self, url: str, app_name: str, *, command: tuple[str, ...] = ("project",), **env: str
    ) -> None:
        self.app_name = app_name
        self.command = command
        self.env = dict(
            os.environ,
            DATABASE_URL=url,
            PGAPPNAME=app_name,
            YANSHEN_LOG_JSON="0",
            **env,
        )
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> WorkerProcess:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "deploy.cli", *self.command],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        return self

    def kill(self) -> None:
        """kill -9: no lease released, no transaction finished."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """SIGTERM: a clean stop (leases handed over)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Probe:
    """Watches one worker's connections in ``pg_stat_activity`` (by application name)."""

    def __init__(self, admin_url: str, app_name: str) -> None:
        self.conn = psycopg.connect(admin_url, autocommit=True)
        self.app_name = app_name

    def in_batch(self) -> bool:
        """A transaction of the worker holds a transaction id: it locked its position row
        and is applying a batch."""
        row = self.conn.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE application_name = %s AND backend_xid IS NOT NULL",
            (self.app_name,),
            prepare=True,
        ).fetchone()
        return bool(row and row[0])

    def close(self) -> None:
        self.conn.close()


# -- read-model checks ------------------------------------------------------------------------


def heads(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        return dict(conn.execute("SELECT tenant_id, position FROM tenant_heads").fetchall())


def positions(url: str, consumer: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT tenant_id, position FROM consumer_positions WHERE consumer = %s", (consumer,)
        ).fetchall()
    return dict(rows)


def caught_up(url: str) -> bool:
    """Every projection at every hall's head."""
    head = heads(url)
    return all(positions(url, p.consumer) == head for p in all_projections())


def events_counted(url: str) -> dict[str, int]:
    """Events per hall as the platform overview counted them (each must be counted once)."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT tenant_id, sum(events)::bigint FROM platform_activity GROUP BY 1"
        ).fetchall()
    return {str(t): int(n) for t, n in rows}


def check_all(url: str, worker_pool: Any) -> RebuildReport:
    """Every read model compared with one rebuilt from position 0 (one pass over the log)."""
    return Rebuild(url, worker_pool, all_projections()).check()


def assert_hall_rebuilds_identically(
    platform: Platform, hall: str, projections: list[Any], batch_sizes: tuple[int, ...] = (1, 1_000)
) -> None:
    """Each of ``projections`` rebuilt for ``hall`` equals its live tables, whether each
    event is a batch of its own or all are one batch."""
    for projection in projections:
        for batch_size in batch_sizes:
            report = Rebuild(
                platform.database_url,
                platform.worker_pool,
                projection,
                tenant=hall,
                batch_size=batch_size,
            ).check()
            assert report.halls_compared == [hall]
            assert report.identical, [d.samples for d in report.differences]


def assert_identical_to_rebuild(url: str, worker_pool: Any) -> None:
    head = heads(url)
    report = check_all(url, worker_pool)
    assert report.halls_skipped == [], report
    assert sorted(report.halls_compared) == sorted(head), report
    tables = [t for p in all_projections() for t in p.tables]
    assert sorted(d.table for d in report.differences) == sorted(tables)
    for difference in report.differences:
        assert difference.identical, difference
    assert events_counted(url) == head


class Clock:
    """A test's clock in China time, in 2026: the scheduler's and the services' (so also
    their events' timestamps) where a test hands it to them."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime(2026, 3, 2, 10, tzinfo=CHINA_TZ)

    def __call__(self) -> datetime:
        return self.now

    def set(self, month: int, day: int, hour: int = 10) -> None:
        self.now = datetime(2026, month, day, hour, tzinfo=CHINA_TZ)
