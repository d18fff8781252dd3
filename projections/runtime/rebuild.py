"""Rebuild read models from position 0 next to the live ones, then swap them in.

``Rebuild(database_url, worker_pool, projections).run()``:

1. **Shadow.** Each projection's SQL is replayed in ``yanshen_rebuild_<name>`` (owner
   connection), giving empty tables with the live tables' names, grants and policies.
2. **Build.** Group batches (:func:`~projections.runtime.tracking.apply_group_batch`) run
   under the worker role, each projection with ``search_path`` set to its shadow and its
   position tracked as consumer ``projection:<name>@rebuild``, hall after hall, until the
   remaining lag is small. The log is read once for all the projections rebuilt together.
   Readers and live workers go on with the live tables meanwhile.
3. **Swap**, in one owner transaction: take the projections' exclusive locks (running live
   batches finish; new ones wait), apply the last events to the shadows, move the rebuild's
   positions onto the live consumers, and swap the tables (``SET SCHEMA``). For one hall
   (``tenant=``) the hall's rows are replaced inside the live tables instead, and only that
   hall's live positions are locked and moved. A full swap records the projections' code
   versions (``projection_versions``) in the same transaction.

Versions: a rebuild that swaps first checks, under its rebuild locks (only a full swap,
which takes them, records a version), that it does not mix versions in the live tables
(:func:`~projections.runtime.versions.swap_refusal`): a one-hall rebuild needs the code of
the live version, a full rebuild with older code ``downgrade=True``. Else it raises
:class:`RebuildVersionError` before building anything.

With ``jobs`` > 1 the build runs in that many processes, whole halls each (this one and
``jobs - 1`` spawned ones: :mod:`~projections.runtime.parallel`), and the indexes built at
the end and the last ``ANALYZE`` use as many connections.

Readers never see an empty or half-built read model: before the commit they read the old
tables, after it the new ones. A crash before the swap leaves the live read models as they
were. A rebuild holds its projections' rebuild locks from its start until it has cleaned up,
so what a rebuild that died left (its shadows and positions) is swept by the next rebuild of
any projection and by every projection worker (:mod:`~projections.runtime.sweep`).

Erasures: a rebuild applies the log up to the head, then, in the swap's transaction, the
events recorded since; a ``PersonalDataErased`` recorded while it runs is among them, so the
tables swapped in never hold what the erasure blanked in the live ones (events read after
the erasure open as ``[erased]`` anyway).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from projections.runtime.compare import TableDifference, compare_tables
from projections.runtime.errors import (
    HallRebuildError,
    RebuildError,
    RebuildRunningError,
    RebuildVersionError,
)
from projections.runtime.locks import (
    BATCHES,
    hold_for_swap,
    release_rebuild,
    try_hold_for_rebuild,
)
from projections.runtime.parallel import HallProcesses, catch_up_hall
from projections.runtime.projection import Projection
from projections.runtime.shadow import (
    copy_hall,
    create_shadow,
    defer_indexes,
    drop_shadow,
    swap_tables,
)
from projections.runtime.shadow import shadow_schema as shadow_of
from projections.runtime.sweep import sweep_stale_rebuilds
from projections.runtime.tracking import Member
from projections.runtime.versions import (
    adopt_versions,
    read_versions,
    record_version,
    recorded_versions,
    swap_refusal,
)
from services.store.pool import WORKER_KEEPALIVES, Pool

__all__ = ["Phase", "Progress", "Rebuild", "RebuildError", "RebuildReport"]

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
"""``progress(done, total)``: positions applied so far and positions known to be due."""
Phase = Callable[[str], None]
"""``phase(name)``: the rebuild moved on to ``building``, ``indexes and statistics``,
``swapping`` or ``comparing``."""

_DUE = """
SELECT h.tenant_id, h.position, COALESCE(min(c.position), 0)
FROM tenant_heads h
LEFT JOIN consumer_positions c ON c.consumer = ANY(%(c)s) AND c.tenant_id = h.tenant_id
WHERE %(t)s::text IS NULL OR h.tenant_id = %(t)s
GROUP BY h.tenant_id, h.position
HAVING h.position > COALESCE(min(c.position), 0)
ORDER BY h.position DESC
"""
_POSITIONS = "SELECT tenant_id, position FROM consumer_positions WHERE consumer = %s"
_DROP_LIVE = "DELETE FROM consumer_positions WHERE consumer = %(live)s"
_COPY_POSITIONS = """
INSERT INTO consumer_positions (consumer, tenant_id, position)
SELECT %(live)s, tenant_id, position FROM consumer_positions WHERE consumer = %(rebuild)s
"""
_ENSURE_HALL = """
INSERT INTO consumer_positions (consumer, tenant_id, position) VALUES (%(live)s, %(t)s, 0)
ON CONFLICT DO NOTHING
"""
_LOCK_HALL = """
SELECT position FROM consumer_positions WHERE consumer = %(live)s AND tenant_id = %(t)s
FOR UPDATE
"""
_MOVE_HALL = """
UPDATE consumer_positions SET position = COALESCE(
    (SELECT position FROM consumer_positions WHERE consumer = %(rebuild)s AND tenant_id = %(t)s),
    0), updated_at = now()
WHERE consumer = %(live)s AND tenant_id = %(t)s
"""
_FORGET = "DELETE FROM consumer_positions WHERE consumer = %s"
_KNOWN_HALL = "SELECT 1 FROM tenant_heads WHERE tenant_id = %s"
_HOLDERS = """
SELECT DISTINCT l.pid, a.state, a.xact_start
FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.granted AND l.pid <> pg_backend_pid()
  AND (l.relation IN (SELECT to_regclass(t) FROM unnest(%(tables)s::text[]) t)
       -- the projections' batch locks: live batches, an audit replay's comparison
       OR (l.locktype = 'advisory' AND l.objsubid = 2 AND l.classid::bigint = %(ns)s
           AND l.objid::int IN (SELECT hashtext(n) FROM unnest(%(names)s::text[]) n)))
ORDER BY l.pid
"""


def _connect_owner(database_url: str) -> psycopg.Connection[Any]:
    """The rebuild's owner connection, with the worker connections' TCP keepalives on both
    ends: its session holds the rebuild locks, and a rebuild whose machine died must lose
    them (so that sweeps remove its shadows) within about half a minute, not two hours."""
    given = conninfo_to_dict(database_url)
    keepalives: dict[str, Any] = {k: v for k, v in WORKER_KEEPALIVES.items() if k not in given}
    conn = psycopg.connect(database_url, autocommit=True, **keepalives)
    try:
        conn.execute(
            "; ".join(
                f"SET tcp_keepalives_{name} = {WORKER_KEEPALIVES[f'keepalives_{name}']}"
                for name in ("idle", "interval", "count")
            )
        )
    except BaseException:
        conn.close()
        raise
    return conn


def _execute(conn: psycopg.Connection[Any], statement: str | sql.Composed) -> None:
    conn.execute(statement.encode() if isinstance(statement, str) else statement)


@dataclass(frozen=True)
class RebuildReport:
    """What a rebuild did."""

    projection: str
    """The projections' names, comma-separated."""
    tenant: str | None
    events: int
    """Positions of the log applied (every event of the rebuilt halls, read once)."""
    seconds: float
    swapped: bool
    differences: list[TableDifference] = field(default_factory=list)
    """Only from :meth:`Rebuild.check`: live against rebuilt, per table."""
    halls_compared: list[str] = field(default_factory=list)
    halls_skipped: list[str] = field(default_factory=list)
    """Halls :meth:`Rebuild.check` could not compare: their live position differed."""
    versions: dict[str, int] = field(default_factory=dict)
    """The versions the swap recorded, by projection (a full rebuild that swapped)."""
    up_to_date: list[str] = field(default_factory=list)
    """Projections left out by ``outdated_only``: their live tables' recorded version was
    the code's already (another worker rebuilt them first)."""
    live_versions: dict[str, int] = field(default_factory=dict)
    """Only from :meth:`Rebuild.check`: the live tables' version of each projection whose
    code is another version (its rows may differ for that reason)."""

    @property
    def rate(self) -> float:
        """Events per second over the whole rebuild."""
        return self.events / self.seconds if self.seconds else 0.0

    @property
    def identical(self) -> bool:
        return all(d.identical for d in self.differences)


class Rebuild:
    """One rebuild of ``projections`` (all halls, or only ``tenant``).

    ``database_url`` connects as the tables' owner (the user that runs migrations): the
    shadow DDL and the swap need it. Batches run on ``worker_pool`` (role ``yanshen_worker``).
    """

    final_lag = 2_000
    """Positions still due when the build stops and the swap (with the last events) starts."""
    lock_timeout = "5s"
    """How long the swap waits for running live batches of the projections."""
    table_lock_timeout = "500ms"
    """How long the swap waits for the tables. Readers that come meanwhile queue behind it,
    so this bounds how long a busy table (e.g. a long transaction) can stall them; the swap
    gives up, lets them through and tries again."""
    swap_attempts = 20
    swap_backoff = (0.1, 5.0)
    """Seconds between attempts: the first, doubled each time up to the second."""
    hold_wait = 2.0
    """Seconds a rebuild tries for its projections' rebuild locks before it reports another
    rebuild running: a sweep (:mod:`~projections.runtime.sweep`) holds a free one while it
    drops what an interrupted rebuild left, for a moment."""

    def __init__(
        self,
        database_url: str,
        worker_pool: Pool,
        projections: Projection | Sequence[Projection],
        *,
        tenant: str | None = None,
        batch_size: int = 5_000,
        jobs: int = 1,
        progress: Progress | None = None,
        phase: Phase | None = None,
        outdated_only: bool = False,
        downgrade: bool = False,
    ) -> None:
        self.projections = (
            [projections] if isinstance(projections, Projection) else list(projections)
        )
        if not self.projections:
            raise RebuildError("nothing to rebuild")
        if batch_size < 1 or jobs < 1:
            raise RebuildError(f"batch size and jobs must be at least 1 ({batch_size}, {jobs})")
        if tenant == "":
            raise RebuildError("the hall id is empty")
        if downgrade and tenant is not None:
            raise RebuildError("a downgrade rebuilds whole read models, not one hall")
        for projection in self.projections:
            projection.check_definition()
        self.database_url = database_url
        self.pool = worker_pool
        self.tenant = tenant
        self.batch_size = batch_size
        self.jobs = jobs
        self.progress = progress
        self.phase = phase or (lambda name: None)
        self.outdated_only = outdated_only
        """Rebuild only the projections whose recorded version is below their code's, as
        read once their rebuild locks are held (a worker's automatic rebuild: another worker
        may have rebuilt them while this one waited)."""
        self.downgrade = downgrade
        """Swap in the tables of code older than the live tables' recorded version, and
        record that version (rolling back a release); refused otherwise."""
        self._cancelled = threading.Event()
        self.members = [
            Member(p, f"{p.consumer}@rebuild", p.topics(), shadow_of(p)) for p in self.projections
        ]
        self._done = 0
        self._total = 0
        self._counter = threading.Lock()
        self._admin: psycopg.Connection[Any] | None = None
        self._processes: HallProcesses | None = None
        self._next_analyze = 1_000

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.projections]

    def cancel(self) -> None:
        """Stop the rebuild from another thread: its next batch raises
        :class:`HallRebuildError`, the rebuild cleans up and the live tables stay as they
        were (a worker that stops during its automatic rebuild)."""
        self._cancelled.set()

    # -- the whole thing --------------------------------------------------------------------

    def run(self) -> RebuildReport:
        """Build the shadows from position 0 and swap them in; returns the report."""
        return self._session(swap=True)

    def check(self) -> RebuildReport:
        """Build the shadows and compare them with the live tables (halls at equal positions);
        nothing is swapped. Used by ``yanshen rebuild --check`` and the crash tests."""
        return self._session(swap=False)

    def _session(self, *, swap: bool) -> RebuildReport:
        start = time.perf_counter()
        differences: list[TableDifference] = []
        compared: list[str] = []
        skipped: list[str] = []
        live_versions: dict[str, int] = {}
        with _connect_owner(self.database_url) as admin:
            self._check_hall(admin)
            self._admin = admin
            held = self._hold(admin)
            up_to_date = self._up_to_date(admin, held) if self.outdated_only else []
            if not self.projections:  # all rebuilt meanwhile: nothing to do
                self._admin = None
                seconds = time.perf_counter() - start
                names = ", ".join(up_to_date)
                return RebuildReport(names, self.tenant, 0, seconds, False, up_to_date=up_to_date)
            try:
                live_versions = self._check_versions(admin, swap=swap)
                sweep_stale_rebuilds(admin)  # ours (re-entrant locks) and others' leftovers
                self._reset(admin)
                deferred: list[str] = []
                for projection in self.projections:
                    create_shadow(admin, projection)
                    if swap and self.tenant is None:
                        deferred += defer_indexes(admin, projection)
                self.phase("building")
                self.build()
                self.phase("indexes and statistics")
                self._on_owner_connections(deferred)  # built once, before the last events
                if swap:
                    self.phase("swapping")
                    self._swap(admin)
                else:
                    self.phase("comparing")
                    differences, compared, skipped = self._compare(admin)
            except BaseException:
                self._clean_up(admin, held, failed=True)
                raise
            self._clean_up(admin, held, failed=False)
        return RebuildReport(
            projection=", ".join(self.names),
            tenant=self.tenant,
            events=self._done,
            seconds=time.perf_counter() - start,
            swapped=swap,
            differences=differences,
            halls_compared=compared,
            halls_skipped=skipped,
            versions=(
                {p.name: p.version for p in self.projections}
                if swap and self.tenant is None
                else {}
            ),
            up_to_date=up_to_date,
            live_versions=live_versions,
        )

    def _clean_up(self, admin: psycopg.Connection[Any], held: list[str], *, failed: bool) -> None:
        """Stop the processes, drop the shadows and the rebuild's positions, release the
        holds. After a failure, an error here is logged, not raised: it must not hide the
        failure (e.g. the database gone)."""
        try:
            if self._processes is not None:
                self._processes.close(cancel=failed)
                self._processes = None
            self._reset(admin)
            for name in held:
                release_rebuild(admin, name)
        except Exception:
            if not failed:
                raise
            log.exception("rebuild %s: cleaning up after the failure failed", self.names)
        finally:
            self._admin = None

    def _check_hall(self, admin: psycopg.Connection[Any]) -> None:
        """Refuse a hall without a log (a typo would otherwise "rebuild" nothing and leave
        position rows for a hall that does not exist)."""
        if self.tenant is not None and not admin.execute(_KNOWN_HALL, (self.tenant,)).fetchone():
            raise RebuildError(f"unknown hall {self.tenant!r}: it has no events")

    def _check_versions(self, admin: psycopg.Connection[Any], *, swap: bool) -> dict[str, int]:
        """Refuse a swap that would mix versions in the live tables (read under the rebuild
        locks: no full swap records another version meanwhile); returns the live version of
        each projection whose code is another one. A swap first records the version of a
        read model that has none, as ``yanshen migrate`` and the worker do; ``--check``
        records nothing."""
        with_tables = [p for p in self.projections if p.tables]
        versions = (adopt_versions if swap else read_versions)(admin, with_tables)
        if swap and (
            refusal := swap_refusal(versions, tenant=self.tenant, downgrade=self.downgrade)
        ):
            raise RebuildVersionError(refusal)
        return {v.projection: v.live for v in versions if v.live != v.code}

    def _hold(self, admin: psycopg.Connection[Any]) -> list[str]:
        """Take the projections' rebuild locks (session locks, kept until :meth:`_clean_up`);
        tries for :attr:`hold_wait` seconds, as a sweep holds a free one for a moment."""
        held: list[str] = []
        deadline = time.monotonic() + self.hold_wait
        for name in sorted(self.names):
            while not try_hold_for_rebuild(admin, name):
                if time.monotonic() >= deadline:
                    for other in held:
                        release_rebuild(admin, other)
                    raise RebuildRunningError(f"a rebuild of {name!r} is already running")
                time.sleep(0.05)
            held.append(name)
        return held

    def _up_to_date(self, admin: psycopg.Connection[Any], held: list[str]) -> list[str]:
        """Leave out (and release) the projections whose recorded version is their code's
        already; returns their names. Read under the rebuild locks: a rebuild that recorded
        it has finished."""
        recorded = recorded_versions(admin, self.names)
        done = sorted(p.name for p in self.projections if recorded.get(p.name, 1) >= p.version)
        for name in done:
            release_rebuild(admin, name)
            held.remove(name)
        self.projections = [p for p in self.projections if p.name not in done]
        self.members = [m for m in self.members if m.projection.name not in done]
        return done

    def _reset(self, admin: psycopg.Connection[Any]) -> None:
        """Forget the shadows and the rebuild's positions (left over, or after the swap)."""
        with admin.transaction():
            for member in self.members:
                drop_shadow(admin, member.projection)
                admin.execute(_FORGET, (member.consumer,))

    # -- build ------------------------------------------------------------------------------

    def build(self) -> int:
        """Apply batches to the shadows, pass after pass over the halls, until at most
        :attr:`final_lag` positions remain due; returns the positions applied."""
        applied = self._catch_up(self._due())
        while (due := self._due()) and sum(head - at for _, head, at in due) > self.final_lag:
            if self._cancelled.is_set():
                raise HallRebuildError("the rebuild was cancelled")
            applied += self._catch_up(due)
        if self.jobs == 1:
            self._analyze(final=True)
        else:  # the statistics readers will plan with, a table per connection
            self._on_owner_connections(
                [sql.SQL("ANALYZE {}").format(table) for table in self._shadow_tables()]
            )
        return applied

    def _final_pass(self) -> int:
        """Apply what is due now (called while live batches are held off, inside the owner
        connection's transaction: no ANALYZE on it now)."""
        self._next_analyze = 1 << 62
        return sum(self._catch_up_hall(tenant) for tenant, _, _ in self._due())

    def _due(self) -> list[tuple[str, int, int]]:
        consumers = [m.consumer for m in self.members]
        with self.pool.connection() as conn:
            rows = conn.execute(_DUE, {"c": consumers, "t": self.tenant}).fetchall()
        due = [(str(t), int(h), int(p)) for t, h, p in rows]
        known = sum(h - p for _, h, p in due)
        with self._counter:
            self._total = max(self._total, self._done + known)
        self._report()
        return due

    def _catch_up(self, due: list[tuple[str, int, int]]) -> int:
        halls = [tenant for tenant, _, _ in due]
        if self.jobs == 1 or len(halls) == 1:
            return sum(self._catch_up_hall(t) for t in halls)
        if self._processes is None:
            conninfo = self.pool.conninfo  # the worker pool's, as a string
            conninfo = conninfo() if callable(conninfo) else conninfo
            # This process takes halls too: one process fewer to spawn.
            self._processes = HallProcesses(conninfo, self.members, jobs=self.jobs - 1)
        applied = 0
        for hall in self._processes.catch_up(halls, self.batch_size, here=self._catch_up_hall):
            applied += hall.applied
            if not hall.here:  # counted batch by batch already
                self._count(hall.applied)
        return applied

    def _catch_up_hall(self, tenant_id: str, stopped: Callable[[], bool] | None = None) -> int:
        return catch_up_hall(
            self.pool,
            self.members,
            tenant_id,
            self.batch_size,
            self._count,
            stopped=lambda: self._cancelled.is_set() or (stopped is not None and stopped()),
        )

    def _count(self, covered: int) -> None:
        """Count positions applied; refresh the shadows' statistics as they grow."""
        with self._counter:
            self._done += covered
            analyze = self._done >= self._next_analyze
            if analyze:
                self._next_analyze *= 4
        if analyze:
            self._analyze()
        self._report()

    def _analyze(self, *, final: bool = False) -> None:
        """Refresh the shadows' statistics as they grow, so plans cached while they were
        empty (sequential scans) are replaced by index scans."""
        admin = self._admin
        if admin is None:
            return
        tables = sql.SQL(", ").join(self._shadow_tables())
        # One statement in one transaction: one commit, without waiting for its WAL flush
        # (statistics lost in a crash are gathered again by the next ANALYZE). While the
        # shadows grow, a small sample is enough to give the planner their sizes; the last
        # ANALYZE of the build (``final``) gathers the statistics readers will plan with.
        with self._counter, admin.transaction():  # shared with the build's threads
            admin.execute("SET LOCAL synchronous_commit TO off")
            if not final:
                admin.execute("SET LOCAL default_statistics_target TO 10")
            admin.execute(sql.SQL("ANALYZE {}").format(tables))

    def _shadow_tables(self) -> list[sql.Identifier]:
        return [
            sql.Identifier(shadow_of(member.projection), table)
            for member in self.members
            for table in member.projection.tables
        ]

    def _on_owner_connections(self, statements: Sequence[str | sql.Composed]) -> None:
        """Run maintenance statements (index builds, ANALYZE) on the owner's connection, or
        on ``jobs`` connections at once: each keeps one core of the database busy."""
        if self._admin is None or not statements:
            return
        if self.jobs == 1 or len(statements) == 1:
            for statement in statements:
                _execute(self._admin, statement)
            return
        todo: queue.SimpleQueue[str | sql.Composed] = queue.SimpleQueue()
        for statement in statements:
            todo.put(statement)

        def work() -> None:
            with psycopg.connect(self.database_url, autocommit=True) as conn:
                conn.execute("SET synchronous_commit TO off")
                while True:
                    try:
                        statement = todo.get_nowait()
                    except queue.Empty:
                        return
                    _execute(conn, statement)

        with ThreadPoolExecutor(self.jobs, thread_name_prefix="rebuild") as executor:
            for done in [executor.submit(work) for _ in range(min(self.jobs, len(statements)))]:
                done.result()

    def _report(self) -> None:
        if self.progress is not None:
            with self._counter:
                done, total = self._done, max(self._total, self._done)
            self.progress(done, total)

    # -- swap -------------------------------------------------------------------------------

    def _swap(self, admin: psycopg.Connection[Any]) -> None:
        delay, longest = self.swap_backoff
        for attempt in range(1, self.swap_attempts + 1):
            try:
                with admin.transaction():
                    admin.execute(
                        "SELECT set_config('lock_timeout', %s, true)", (self.lock_timeout,)
                    )
                    if self.tenant is None:
                        self._swap_all(admin)
                    else:
                        self._swap_hall(admin, self.tenant)
                return
            except (psycopg.errors.LockNotAvailable, psycopg.errors.DeadlockDetected):
                holders = self._holders(admin)
                if attempt == self.swap_attempts:
                    raise RebuildError(
                        f"tables busy: the swap gave up after {attempt} attempts"
                        f" (held by {holders or 'live batches'})"
                    ) from None
                log.warning(
                    "rebuild %s: tables busy (held by %s); swap retried in %.1f s",
                    ", ".join(self.names),
                    holders or "live batches",
                    delay,
                )
            time.sleep(delay)
            delay = min(delay * 2, longest)
            self.build()

    def _holders(self, admin: psycopg.Connection[Any]) -> str:
        """The sessions holding locks on the live tables or the projections' batch locks,
        for the operator: "pid 123 (idle in transaction since 10:01:02)", comma-separated."""
        tables = [table for p in self.projections for table in p.tables]
        params = {"tables": tables, "ns": BATCHES, "names": sorted(self.names)}
        rows = admin.execute(_HOLDERS, params).fetchall()
        return ", ".join(
            f"pid {pid} ({state}" + (f" since {start:%H:%M:%S})" if start else ")")
            for pid, state, start in rows
        )

    def _swap_all(self, admin: psycopg.Connection[Any]) -> None:
        for name in sorted(self.names):
            hold_for_swap(admin, name)
        self._final_pass()
        for member in self.members:
            params = {"live": member.projection.consumer, "rebuild": member.consumer}
            admin.execute(_DROP_LIVE, params)
            admin.execute(_COPY_POSITIONS, params)
            admin.execute(_FORGET, (member.consumer,))
        # Readers queue behind the swap's wait for the tables: keep it short.
        admin.execute("SELECT set_config('lock_timeout', %s, true)", (self.table_lock_timeout,))
        for member in self.members:
            swap_tables(admin, member.projection)
            record_version(admin, member.projection)

    def _swap_hall(self, admin: psycopg.Connection[Any], tenant_id: str) -> None:
        for member in sorted(self.members, key=lambda m: m.projection.consumer):
            params = {"live": member.projection.consumer, "t": tenant_id}
            admin.execute(_ENSURE_HALL, params)
            admin.execute(_LOCK_HALL, params)
        self._final_pass()
        for member in self.members:
            params = {"live": member.projection.consumer, "rebuild": member.consumer}
            copy_hall(admin, member.projection, tenant_id)
            admin.execute(_MOVE_HALL, {**params, "t": tenant_id})
            admin.execute(_FORGET, (member.consumer,))

    # -- check ------------------------------------------------------------------------------

    def _compare(
        self, admin: psycopg.Connection[Any]
    ) -> tuple[list[TableDifference], list[str], list[str]]:
        with admin.transaction():
            for name in sorted(self.names):
                hold_for_swap(admin, name)
            self._final_pass()
            differences: list[TableDifference] = []
            compared: set[str] = set()
            skipped: set[str] = set()
            for member in self.members:
                live = dict(admin.execute(_POSITIONS, (member.projection.consumer,)).fetchall())
                rebuilt = dict(admin.execute(_POSITIONS, (member.consumer,)).fetchall())
                halls = [self.tenant] if self.tenant else sorted(set(live) | set(rebuilt))
                same = [h for h in halls if live.get(h, 0) == rebuilt.get(h, 0)]
                skipped |= set(halls) - set(same)
                compared |= set(same)
                differences += compare_tables(admin, member.projection, same)
            if skipped:
                log.warning("not compared (live not at the rebuilt position): %s", skipped)
            return differences, sorted(compared - skipped), sorted(skipped)
