"""``yanshen replay --tenant T``: a hall's history through fresh projections, compared.

1. The replay is recorded in the hall's access log (who, why).
2. A schema of its own, ``yanshen_replay_<hall>``, gets empty copies of every projection's
   tables: the projection's SQL files run there with ``search_path`` pointing at it (the
   files name their tables unqualified), so names, columns, grants and policies match.
3. The hall's events 1 … head (read through the tenant recorder, so personal fields read as
   every projection sees them: plaintext, or ``[erased]``) go through fresh projection
   instances, in batches, as role ``yanshen_worker`` with ``search_path`` set to the schema.
4. Each table's rows of the hall are compared with the live read model (every column as
   text, ``EXCEPT ALL`` both ways); the schema is dropped unless kept.

The schema holds copies of personal data, which erasures never reach. A replay holds a
session advisory lock on its schema (:data:`REPLAY_LOCK`, ``hashtext(schema)``) from before it
creates the schema until it has dropped or kept it; the projection runtime's sweep
(``yanshen_sweep_replays()``, run by projection workers at their start and every minute) drops
a replay schema whose lock is free unless it is *kept*: marked (its comment) by a replay that
finished with ``keep``, not past its expiry (``keep_for``, a day by default), and with as many
destroyed keys in its hall as there were before the replay read any event. So a killed
replay's schema, an expired kept one, and a kept one after an erasure in its hall are gone by
the next sweep.

The live read models are only read. A difference means a projection is not deterministic,
lost or double-applied an event, or was changed since; ``live_position`` tells when the
live model simply lags the log.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import psycopg
from eventsourcing.persistence import Notification
from psycopg import sql

from services.audit.application import Accessor
from services.audit.domain import AccessAction
from services.audit.errors import ReplayUnsettledError
from services.audit.reader import AuditReader
from services.store.decoding import decode
from services.store.migrate import collect_migrations
from services.store.pool import Pool
from services.store.store import EventStore

__all__ = ["ReplayReport", "TableReport", "replay_hall", "replay_schema"]

Progress = Callable[[int, int], None]
"""``progress(done, total)``: events replayed so far of the hall's log."""

_SAMPLES = 3
_TABLES = "SELECT table_name FROM information_schema.tables WHERE table_schema = %s ORDER BY 1"
_COLUMNS = (
    "SELECT column_name FROM information_schema.columns"
    " WHERE table_schema = %s AND table_name = %s ORDER BY ordinal_position"
)
_ATTEMPTS = 5
"""Snapshots tried per projection before the replay gives up on a live model that keeps
moving (each attempt first catches up with it)."""
REPLAY_LOCK = 0x59500003
"""Namespace (first key) of the replays' session advisory locks, the second being
``hashtext(schema)`` (also in ``projections/runtime/sql/0002_replay_sweep.sql``: 1498415107)."""
KEEP_FOR = timedelta(days=1)
"""How long a kept replay schema is kept by default (unless an erasure in its hall comes)."""
_LOCK_WAIT = 5.0
"""Seconds a replay waits for its lock: a sweep holds it for a moment; a running replay of
the same hall holds it throughout (then the replay is refused)."""
_ERASED_KEYS = "SELECT count(*) FROM subject_keys WHERE tenant_id = %s AND erased_at IS NOT NULL"
_HEAD = "SELECT position FROM tenant_heads WHERE tenant_id = %s"
_LIVE = "SELECT position FROM consumer_positions WHERE consumer = %s AND tenant_id = %s"


@dataclass(frozen=True)
class TableReport:
    """One read-model table of the hall: live rows against replayed rows."""

    projection: str
    table: str
    live_rows: int
    replayed_rows: int
    only_live: int
    only_replayed: int
    live_position: int
    """The live projection's position in the hall when compared."""
    samples: list[str] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        return self.only_live == 0 and self.only_replayed == 0


@dataclass(frozen=True)
class ReplayReport:
    """The outcome of a replay."""

    tenant_id: str
    schema: str
    position: int
    """Replayed up to this position: the furthest live projection's position in the hall."""
    head: int
    """The hall's head when compared (beyond ``position``: the live models lag)."""
    events: int
    seconds: float
    tables: list[TableReport]
    kept_until: str | None = None
    """Kept: when the sweep drops the schema (ISO 8601), or earlier after an erasure in the
    hall; ``None``: dropped."""

    @property
    def identical(self) -> bool:
        return all(t.identical for t in self.tables)

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


def replay_schema(tenant_id: str) -> str:
    """The schema a replay of ``tenant_id`` builds in."""
    return "yanshen_replay_" + re.sub(r"[^a-z0-9]", "_", tenant_id)


def _hold(conn: psycopg.Connection[Any], schema: str) -> None:
    """Take the replay's session lock on ``schema`` (waiting out a sweep that holds it)."""
    deadline = time.monotonic() + _LOCK_WAIT
    while True:
        row = conn.execute(
            "SELECT pg_try_advisory_lock(%s, hashtext(%s))", (REPLAY_LOCK, schema)
        ).fetchone()
        if row and row[0]:
            return
        if time.monotonic() >= deadline:
            raise ReplayUnsettledError(
                f"a replay into {schema} is already running; run this one when it has ended"
            )
        time.sleep(0.05)


def _release(conn: psycopg.Connection[Any], schema: str) -> None:
    """Give up the lock :func:`_hold` took, now rather than when the session ends."""
    conn.execute("SELECT pg_advisory_unlock(%s, hashtext(%s))", (REPLAY_LOCK, schema))


def _mark(conn: psycopg.Connection[Any], schema: str, mark: dict[str, Any]) -> None:
    """The schema's comment, read by the sweep (``yanshen_sweep_replays()``)."""
    conn.execute(
        sql.SQL("COMMENT ON SCHEMA {} IS {}").format(
            sql.Identifier(schema), sql.Literal(json.dumps(mark, ensure_ascii=False))
        )
    )


def _sql_files(projection: Any) -> list[str]:
    schema_sql = getattr(projection, "schema_sql", None)
    if callable(schema_sql):
        return list(schema_sql())
    source = f"projections.{type(projection).__module__.split('.')[1]}"
    return [m.sql for m in collect_migrations() if m.source == source]


def _create_tables(
    conn: psycopg.Connection[Any], schema: str, projections: Sequence[Any], mark: dict[str, Any]
) -> dict[str, list[str]]:
    """Create every projection's tables in ``schema`` (marked with ``mark``, not kept);
    return projection name → tables."""
    ident = sql.Identifier(schema)
    owned: dict[str, list[str]] = {}
    with conn.transaction():
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(ident))
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(ident))
        _mark(conn, schema, mark)
        conn.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO yanshen_worker").format(ident))
        conn.execute("SELECT set_config('search_path', %s, true)", (f"{schema}, public",))
        for projection in projections:
            before = {r[0] for r in conn.execute(_TABLES, (schema,)).fetchall()}
            for statement in _sql_files(projection):
                conn.execute(statement.encode())
            created = sorted({r[0] for r in conn.execute(_TABLES, (schema,)).fetchall()} - before)
            owned[projection.name] = list(getattr(projection, "tables", ()) or created)
    return owned


def _batch_class() -> Any:
    """The projection runtime's ``Batch`` where it has one (projections that work on whole
    batches override ``apply_batch``); ``None`` otherwise."""
    try:
        from projections.runtime.batch import Batch  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    return Batch


def _no_swaps(conn: psycopg.Connection[Any], names: Sequence[str]) -> AbstractContextManager[Any]:
    """No rebuild swaps the live tables of ``names`` during the comparison (see
    ``projections.runtime.locks.held_against_swaps``); nothing to hold without the runtime."""
    try:
        from projections.runtime.locks import (  # type: ignore[import-not-found,unused-ignore]
            held_against_swaps,
        )
    except ImportError:
        return nullcontext()
    return held_against_swaps(conn, names)  # type: ignore[no-any-return,unused-ignore]


def _overrides_apply_batch(projection: Any) -> bool:
    return any(
        "apply_batch" in vars(cls)
        for cls in type(projection).__mro__
        if cls.__name__ != "Projection" and cls is not object
    )


def _apply(
    projection: Any,
    conn: psycopg.Connection[Any],
    tenant_id: str,
    span: tuple[int, int],
    batch: Sequence[Notification],
) -> None:
    """Apply positions ``span[0] + 1`` … ``span[1]`` (the events of ``batch``)."""
    batch_class = _batch_class()
    if batch_class is not None and _overrides_apply_batch(projection):
        topics = projection.topics() if hasattr(projection, "topics") else None
        projection.apply_batch(conn, batch_class(conn, tenant_id, *span, topics))
        return
    for notification in batch:
        projection.apply(decode(notification), conn, tenant_id, notification.id)


def _compare(
    conn: psycopg.Connection[Any], schema: str, tenant_id: str, projection: str, table: str
) -> TableReport:
    names = [str(r[0]) for r in conn.execute(_COLUMNS, (schema, table)).fetchall()]
    cols = sql.SQL(", ").join(sql.SQL("{}::text").format(sql.Identifier(c)) for c in names)
    live = sql.SQL("SELECT {} FROM {} WHERE tenant_id = %(t)s").format(cols, sql.Identifier(table))
    replayed = sql.SQL("SELECT {} FROM {}.{} WHERE tenant_id = %(t)s").format(
        cols, sql.Identifier(schema), sql.Identifier(table)
    )

    def rows(first: sql.Composable, second: sql.Composable) -> list[str]:
        query = sql.SQL("SELECT d::text FROM ({} EXCEPT ALL {}) d").format(first, second)
        return [str(r[0]) for r in conn.execute(query, {"t": tenant_id}).fetchall()]

    def count(query: sql.Composable) -> int:
        found = conn.execute(sql.SQL("SELECT count(*) FROM ({}) c").format(query), {"t": tenant_id})
        row = found.fetchone()
        return int(row[0]) if row else 0

    only_live, only_replayed = rows(live, replayed), rows(replayed, live)
    position = conn.execute(_LIVE, (f"projection:{projection}", tenant_id)).fetchone()
    samples = [f"live only: {r}" for r in only_live[:_SAMPLES]]
    samples += [f"replay only: {r}" for r in only_replayed[:_SAMPLES]]
    return TableReport(
        projection,
        table,
        count(live),
        count(replayed),
        len(only_live),
        len(only_replayed),
        int(position[0]) if position else 0,
        samples,
    )


class _Replay:
    """Fresh projections of one hall in the replay schema, each at its own position."""

    def __init__(
        self,
        worker_pool: Pool,
        tenant_id: str,
        schema: str,
        projections: Sequence[Any],
        batch_size: int,
        progress: Progress | None,
    ) -> None:
        self.pool = worker_pool
        self.tenant_id = tenant_id
        self.schema = schema
        self.projections = list(projections)
        self.batch_size = batch_size
        self.progress = progress
        self.recorder = EventStore(worker_pool).recorder(tenant_id)
        self.at = {p.name: 0 for p in projections}
        """Position each fresh projection has reached."""
        self.events = 0

    def live(self, conn: psycopg.Connection[Any]) -> dict[str, int]:
        """The live projections' positions in the hall."""
        return {p.name: self.live_position(conn, p.name) for p in self.projections}

    def live_position(self, conn: psycopg.Connection[Any], name: str) -> int:
        row = conn.execute(_LIVE, (f"projection:{name}", self.tenant_id)).fetchone()
        return int(row[0]) if row else 0

    def compare(self, name: str, tables: Sequence[str]) -> tuple[list[TableReport], int]:
        """``name``'s tables, live against replayed, and the hall's head, in one snapshot in
        which the live projection is where the replayed one is (caught up and retried while
        a live worker moves on). Under ``name``'s shared lock alone, so a rebuild of it swaps
        after this comparison, not after the whole replay's.
        """
        for _ in range(_ATTEMPTS):
            with self.pool.connection() as conn, _no_swaps(conn, [name]), conn.transaction():
                conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                live = self.live_position(conn, name)
                if live == self.at[name]:
                    row = conn.execute(_HEAD, (self.tenant_id,)).fetchone()
                    found = [_compare(conn, self.schema, self.tenant_id, name, t) for t in tables]
                    return found, int(row[0]) if row else 0
            self.catch_up({**self.at, name: live})
        raise ReplayUnsettledError(
            f"the live read model {name} of hall {self.tenant_id} moved on at each of"
            f" {_ATTEMPTS} attempts to compare it (or is behind the replay); nothing was"
            " compared: run the replay again"
        )

    def catch_up(self, targets: dict[str, int]) -> None:
        """Apply events until every fresh projection is at its target position."""
        upto = max(targets.values(), default=0)
        done = min(self.at.values(), default=0)
        while done < upto:
            batch = self.recorder.select_notifications(done + 1, self.batch_size, stop=upto)
            if not batch:
                break
            with self.pool.connection() as conn, conn.transaction():
                conn.execute(
                    "SELECT set_config('search_path', %s, true)", (f"{self.schema}, public",)
                )
                for projection in self.projections:
                    lo, hi = self.at[projection.name], min(targets[projection.name], batch[-1].id)
                    mine = [n for n in batch if lo < n.id <= hi]
                    if mine:
                        _apply(projection, conn, self.tenant_id, (lo, hi), mine)
                    self.at[projection.name] = max(lo, hi)
            done = batch[-1].id
            self.events += len(batch)
            if self.progress is not None:
                self.progress(done, upto)
        for name, target in targets.items():
            self.at[name] = max(self.at[name], target)


def replay_hall(
    reader: AuditReader,
    database_url: str,
    worker_pool: Pool,
    tenant_id: str,
    projections: Sequence[Any],
    accessor: Accessor,
    *,
    batch_size: int = 1000,
    keep: bool = False,
    keep_for: timedelta = KEEP_FOR,
    progress: Progress | None = None,
) -> ReplayReport:
    """Replay ``tenant_id``'s log through ``projections`` and compare (see the module).

    Each fresh projection is replayed up to the position its live counterpart has reached
    in the hall, and compared in one snapshot in which that position still holds (retried
    while a live worker moves on; :class:`ReplayUnsettledError` when it kept moving).
    ``projections`` are fresh instances (``deploy.bootstrap.all_projections()``);
    ``database_url`` connects as the owner, which creates and drops the replay schema.

    ``keep``: the schema is left for inspection, for ``keep_for`` at most: the projection
    workers' sweep drops it then, or at its first run after an erasure in the hall (it may
    hold what was erased). :class:`ReplayUnsettledError` also when a replay of the hall
    (into the same schema) is running.
    """
    names = ", ".join(p.name for p in projections)
    reader.record(tenant_id, accessor, AccessAction.REPLAY, f"replay through {names}")
    schema = replay_schema(tenant_id)
    started = time.perf_counter()
    kept_until: str | None = None
    with psycopg.connect(database_url, autocommit=True) as owner:
        _hold(owner, schema)  # until the connection ends: dropped, or kept, by then
        # Before any event is read: an erasure that commits later changes this count.
        erased = owner.execute(_ERASED_KEYS, (tenant_id,)).fetchone()
        mark: dict[str, Any] = {"tenant": tenant_id, "erased_keys": int(erased[0] if erased else 0)}
        owned = _create_tables(owner, schema, projections, mark)
        try:
            replay = _Replay(worker_pool, tenant_id, schema, projections, batch_size, progress)
            with worker_pool.connection() as conn:
                replay.catch_up(replay.live(conn))  # one pass over the log for all
            tables: list[TableReport] = []
            head = 0
            for name, owned_tables in owned.items():
                found, head = replay.compare(name, owned_tables)
                tables += found
            seconds = time.perf_counter() - started
        finally:
            if keep:
                row = owner.execute("SELECT to_json(now() + %s) #>> '{}'", (keep_for,)).fetchone()
                kept_until = str(row[0]) if row else None
                _mark(owner, schema, mark | {"kept_until": kept_until})
            else:
                owner.execute(
                    sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
                )
            # Closing the connection frees the lock only once its backend has exited, a
            # moment later: a sweep right after this replay would still see it running.
            _release(owner, schema)
    position = max(replay.at.values(), default=0)
    return ReplayReport(
        tenant_id, schema, position, head, replay.events, seconds, tables, kept_until
    )
