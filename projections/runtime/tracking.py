"""Apply one batch of a hall's log and record the projections' positions, in one transaction.

This is the exactly-once step: every member's position row of (consumer, hall) is locked
``FOR UPDATE`` first, the batch starts right after it, the projections write their rows on
the same connection, and the new positions are written before the caller commits. A crash
anywhere rolls all of it back; two workers on one hall serialise on the row locks.

A live worker's batch waits only briefly for the position rows (``lock_timeout``): a row held
by another session (another worker's batch, perhaps of a frozen worker) raises
:class:`PositionLockedError`, and the worker goes on with its other halls. ``transaction_timeout``
lets the server end a batch that never finishes (a worker stopped, paused or cut off in the
middle of it), so its position rows are free again; ``lease`` skips a batch whose worker no
longer holds the hall.

Several projections (the *members*) share a batch: the log range is read once, for the union
of their topics, and each member gets the part after its own position.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain
from operator import itemgetter
from typing import Any, cast

import psycopg
from eventsourcing.domain import DomainEvent
from psycopg import sql

from projections.runtime.batch import Batch, EventRow, decode_row, read_rows
from projections.runtime.errors import ProjectionOutdatedError
from projections.runtime.handlers import HandlerConnection
from projections.runtime.locks import BATCHES
from projections.runtime.projection import Projection
from services.store.consumer import PositionLockedError

__all__ = ["GroupBatch", "Member", "PositionLockedError", "apply_group_batch", "apply_next_batch"]

# Rows and positions commit together or not at all; a server crash may lose the last few
# of these commits, both together, and they are applied again: no WAL flush to wait for.
_NO_FLUSH = "SET LOCAL synchronous_commit TO off"
_ENSURE_POSITIONS = (
    "INSERT INTO consumer_positions (consumer, tenant_id, position)"
    " SELECT unnest(%(consumers)s::text[]), %(t)s, 0 ON CONFLICT DO NOTHING"
)
_SHARED = (
    "SELECT pg_advisory_xact_lock_shared(%(ns)s, hashtext(n)) FROM unnest(%(names)s::text[]) n"
)
_VERSIONS = "SELECT projection, version FROM projection_versions WHERE projection = ANY(%(names)s)"
_LOCK = """
SELECT c.consumer, c.position, COALESCE(h.position, 0)
FROM consumer_positions c LEFT JOIN tenant_heads h ON h.tenant_id = c.tenant_id
WHERE c.consumer = ANY(%(consumers)s) AND c.tenant_id = %(t)s
ORDER BY c.consumer
FOR UPDATE OF c
"""
_LOCK_TIMEOUT = "SELECT current_setting('lock_timeout'), set_config('lock_timeout', %(v)s, true)"
_RESET_LOCK_TIMEOUT = "SELECT set_config('lock_timeout', %(v)s, true)"
_TRANSACTION_TIMEOUT = "SELECT set_config('transaction_timeout', %(v)s, true)"
_TRANSACTION_TIMEOUT_SINCE = 170000
"""The first server version with ``transaction_timeout`` (PostgreSQL 17)."""
_LEASE = """
SELECT worker_id = %(w)s FROM consumer_leases WHERE consumer = %(lc)s AND tenant_id = %(t)s
"""
_RECORD = """
UPDATE consumer_positions SET position = %(upto)s, updated_at = now()
WHERE consumer = ANY(%(moved)s) AND tenant_id = %(t)s
"""


def _milliseconds(seconds: float) -> str:
    return f"{max(1, round(seconds * 1000))}ms"


@dataclass(frozen=True)
class Member:
    """One projection in a batch: its position row and where its tables resolve."""

    projection: Projection
    consumer: str
    """The position's consumer: ``projection:<name>`` live, ``…@rebuild`` in a rebuild."""
    topics: frozenset[str] | None
    schema: str | None = None
    """The schema of the member's tables (a rebuild's shadow), first on the handlers'
    ``search_path``; ``None``: the live tables."""

    @classmethod
    def live(cls, projection: Projection) -> Member:
        return cls(projection, projection.consumer, projection.topics())

    @property
    def search_path(self) -> str | None:
        return None if self.schema is None else f"{self.schema}, public"

    def hold_tables(self, conn: psycopg.Connection[Any]) -> None:
        """Lock the member's tables in :attr:`schema` for the batch (by qualified name).

        PostgreSQL skips a schema of the ``search_path`` that does not exist: without the
        lock, a batch that ran while the shadow was dropped (a rebuild process orphaned by
        its killed parent, while the next rebuild starts afresh) would write into the live
        tables. The lock fails such a batch, and keeps the shadow until the batch commits.
        """
        if self.schema is None:
            return
        for table in self.projection.tables:
            conn.execute(
                sql.SQL("LOCK TABLE {} IN ROW EXCLUSIVE MODE").format(
                    sql.Identifier(self.schema, table)
                )
            )


@dataclass
class GroupBatch:
    """What one group batch did."""

    covered: int = 0
    """Positions covered by the batch (0: nothing was due)."""
    positions: dict[str, int] = field(default_factory=dict)
    """Every member's position after the batch, by consumer."""
    behind: set[str] = field(default_factory=set)
    """Members left out because they are more than ``limit`` behind the leader."""
    applied: dict[str, int] = field(default_factory=dict)
    """Positions applied per member."""
    lost: bool = False
    """The worker no longer holds the hall's lease (``lease``): nothing was applied."""
    outdated: dict[str, int] = field(default_factory=dict)
    """Live members left out because newer code built their tables: consumer → the version
    recorded for them (above their code's :attr:`~Projection.version`)."""


_POSITION = itemgetter(0)
"""An ``EventRow``'s position."""


class _SharedRows:
    """The rows of a group batch, read once when the first member asks for them, their
    events decoded once when the first member iterates them, and what members derive from
    them themselves (:meth:`memo`) kept for the others."""

    def __init__(self, *args: Any) -> None:
        self.args = args
        self.rows: list[EventRow] | None = None
        self.events: dict[int, DomainEvent] = {}
        self.memos: dict[str, dict[int, Any]] = {}
        self._by_topic: dict[str, list[EventRow]] | None = None

    def __call__(self) -> list[EventRow]:
        if self.rows is None:
            self.rows = read_rows(*self.args)
        return self.rows

    def part(self, topics: frozenset[str] | None, after: int, upto: int) -> list[EventRow]:
        """The rows of ``topics`` (all: ``None``) in ``after`` < position ≤ ``upto``, in order.
        The rows are grouped by topic once, rather than scanned once per member."""
        rows = self()
        if topics is not None:
            by_topic = self._by_topic
            if by_topic is None:
                by_topic = self._by_topic = {}
                for row in rows:
                    found = by_topic.get(row.topic)
                    if found is None:
                        by_topic[row.topic] = [row]
                    else:
                        found.append(row)
            runs = [by_topic[topic] for topic in topics if topic in by_topic]
            rows = runs[0] if len(runs) == 1 else sorted(chain(*runs), key=_POSITION)
        if rows and (rows[0].position <= after or rows[-1].position > upto):
            return [r for r in rows if after < r.position <= upto]
        return list(rows)  # the member's own list: the shared ones stay as they are

    def memo(self, name: str) -> dict[int, Any]:
        """What the members derive from the rows, kept under ``name`` (``Batch.memo``)."""
        return self.memos.setdefault(name, {})

    def decode_all(self, topics: frozenset[str] | None = None) -> None:
        """Decode every row of ``topics`` (all: ``None``) now (each member iterates its part
        of them later)."""
        rows = self()
        if topics is not None:
            rows = [r for r in rows if r.topic in topics]
        for _ in self.decoded(rows):
            pass

    def decoded(self, rows: list[EventRow]) -> Iterator[tuple[int, DomainEvent]]:
        """``(position, event)`` of ``rows`` (some of :meth:`__call__`'s), each decoded once."""
        events = self.events
        for row in rows:
            event = events.get(row.position)
            if event is None:
                event = events[row.position] = decode_row(row)
            yield row.position, event


def _per_event(projection: Projection) -> bool:
    """Whether ``projection`` applies a batch event by event (the default ``apply_batch``)."""
    return type(projection).apply_batch is Projection.apply_batch


def _prefetches(projection: Projection) -> bool:
    """Whether ``projection`` reads rows ahead of its batch (overrides ``prefetch``)."""
    return type(projection).prefetch is not Projection.prefetch


def _decoded(members: Sequence[Member]) -> frozenset[str] | None:
    """Topics some member iterates as events (not only as rows: ``Projection.raw_topics``)."""
    topics: set[str] = set()
    for member in members:
        if member.topics is None:
            return None
        topics |= member.topics - member.projection.raw_topics
    return frozenset(topics)


def _union(members: Sequence[Member]) -> frozenset[str] | None:
    topics: set[str] = set()
    for member in members:
        if member.topics is None:
            return None
        topics |= member.topics
    return frozenset(topics)


def _hold_live(conn: psycopg.Connection[Any], params: dict[str, Any]) -> psycopg.Cursor[Any]:
    """A live batch's shared locks of its projections, then their recorded versions (sent
    in the pipeline; the cursor is read by :func:`_outdated`)."""
    # Before any write: a swap holding the exclusive lock inserts these position rows too,
    # and a batch that had inserted them first would deadlock with it.
    conn.execute(_SHARED, params, prepare=True)
    # Read after the locks: a swap that recorded a newer version has committed by then.
    return conn.execute(_VERSIONS, params, prepare=True)


def _outdated(members: Sequence[Member], recorded: psycopg.Cursor[Any] | None) -> dict[str, int]:
    """Live members whose tables a newer version of their code built: consumer → version."""
    if recorded is None:
        return {}
    versions = {str(name): int(version) for name, version in recorded.fetchall()}
    return {
        m.consumer: versions[m.projection.name]
        for m in members
        if m.schema is None and versions.get(m.projection.name, 1) > m.projection.version
    }


def _lock_positions(
    conn: psycopg.Connection[Any],
    params: dict[str, Any],
    lock_timeout: float | None,
    transaction_timeout: float | None,
    lease: tuple[str, str] | None,
) -> list[tuple[Any, ...]] | None:
    """Lock the members' position rows in the pipeline (see :func:`apply_group_batch`);
    returns the rows, ``None`` when the ``lease`` is not held."""
    # The timeouts start once the rebuild locks are taken: a live batch waits for a swap or
    # a check as long as they take.
    since = _TRANSACTION_TIMEOUT_SINCE
    if transaction_timeout is not None and conn.info.server_version >= since:
        conn.execute(_TRANSACTION_TIMEOUT, {"v": _milliseconds(transaction_timeout)})
    try:
        if lock_timeout is not None:
            was = conn.execute(_LOCK_TIMEOUT, {"v": _milliseconds(lock_timeout)})
        conn.execute(_ENSURE_POSITIONS, params, prepare=True)
        lock = conn.execute(_LOCK, params, prepare=True)
        if lease is not None:
            held = conn.execute(_LEASE, {"lc": lease[0], "w": lease[1], "t": params["t"]})
        locked = lock.fetchall()
    except psycopg.errors.LockNotAvailable as error:
        raise PositionLockedError(params["t"]) from error
    if lock_timeout is not None:
        # Only the position rows: the projections' own statements wait as they always did.
        conn.execute(_RESET_LOCK_TIMEOUT, {"v": was.fetchone()[0]})  # type: ignore[index]
    if lease is not None:
        row = held.fetchone()
        if row is None or not row[0]:
            return None
    return locked


def apply_group_batch(
    conn: psycopg.Connection[Any],
    members: Sequence[Member],
    *,
    tenant_id: str,
    limit: int,
    live: bool = True,
    lock_timeout: float | None = None,
    transaction_timeout: float | None = None,
    lease: tuple[str, str] | None = None,
) -> GroupBatch:
    """Apply up to ``limit`` positions of ``tenant_id`` to ``members``, from the lowest
    member position, inside the caller's transaction on ``conn``.

    Statements are pipelined (those whose results are not needed cost no round trip).
    ``live`` batches hold each member projection's shared advisory lock, so a rebuild can
    swap tables between two batches. Members more than ``limit`` behind the leading one are
    left out (reported in ``behind``) so they do not hold the others back.

    ``lock_timeout``: seconds to wait for the position rows, then :class:`PositionLockedError`
    (the transaction is then aborted; ``None``: wait as long as it takes).
    ``transaction_timeout``: the server ends the session when the transaction runs longer
    than this, counted once the rebuild locks are taken (PostgreSQL 17 and later; ignored
    before). ``lease``: ``(consumer, worker id)`` whose lease on the hall the batch needs;
    checked once the position rows are locked: without it nothing is applied and ``lost``
    is set. The caller commits or rolls back; either way the settings end with the
    transaction. A ``live`` batch reads the members' recorded versions after their locks and
    leaves out those a newer version of their code built (reported in ``outdated``).
    """
    by_consumer = {m.consumer: m for m in members}
    params: dict[str, Any] = {
        "consumers": sorted(by_consumer),
        "names": sorted({m.projection.name for m in members}),
        "ns": BATCHES,
        "t": tenant_id,
    }
    result = GroupBatch()
    with conn.pipeline():
        conn.execute(_NO_FLUSH, prepare=True)
        versions = _hold_live(conn, params) if live else None
        locked = _lock_positions(conn, params, lock_timeout, transaction_timeout, lease)
        if locked is None:
            result.lost = True
            return result
        result.outdated = _outdated(members, versions)
        head = int(locked[0][2]) if locked else 0
        at = {str(c): int(p) for c, p, _ in locked if c not in result.outdated}
        lead = max(at.values(), default=0)
        applied = {c: p for c, p in at.items() if lead - p < limit}
        result.behind = set(at) - set(applied)
        low = min(applied.values(), default=0)
        upto = min(head, low + limit)
        result.positions = {str(c): int(p) for c, p, _ in locked}
        if upto <= low:
            return result
        chosen = [by_consumer[c] for c in sorted(applied) if applied[c] < upto]
        for member in chosen:
            member.hold_tables(conn)
        source = _SharedRows(conn, tenant_id, low, upto, _union(chosen))
        handlers = cast(psycopg.Connection[Any], HandlerConnection(conn))
        batches = {
            m.consumer: Batch(conn, tenant_id, applied[m.consumer], upto, m.topics, source=source)
            for m in chosen
        }

        def on_path(member: Member) -> None:
            if member.search_path is not None:
                conn.execute("SELECT set_config('search_path', %s, true)", (member.search_path,))

        def apply(member: Member) -> None:
            on_path(member)
            member.projection.apply_batch(handlers, batches[member.consumer])
            result.applied[member.consumer] = upto - batches[member.consumer].after

        # Keep the server busy while Python works: read the log first (a read waits for every
        # statement sent before it), then send the members' reads of their own rows (by the
        # records of the rows just read: answered before the statements sent after them,
        # they never keep the client waiting), then the members that work in SQL alone
        # (platform activity keeps the server busy for a while), decode the events
        # meanwhile, then apply the members that work on the whole batch (folds, written at
        # their end), and last those that send a statement per event: sent while the server
        # is still busy, each would soon wait for it (the socket's buffer fills up).
        in_sql = [m for m in chosen if m.topics == frozenset()]
        in_python = [m for m in chosen if m.topics != frozenset()]
        in_python.sort(key=lambda m: _per_event(m.projection))
        if in_python:
            source()
        for member in in_python:
            if _prefetches(member.projection):
                on_path(member)
                member.projection.prefetch(handlers, batches[member.consumer])
        for member in in_sql:
            apply(member)
        if in_python:
            source.decode_all(_decoded(in_python))
        for member in in_python:
            apply(member)
        moved = sorted(result.applied)
        conn.execute(_RECORD, {"upto": upto, "moved": moved, "t": tenant_id}, prepare=True)
    result.covered = upto - low
    result.positions.update({c: upto for c in moved})
    return result


def apply_next_batch(
    conn: psycopg.Connection[Any],
    projection: Projection,
    *,
    consumer: str,
    tenant_id: str,
    limit: int,
    topics: frozenset[str] | None,
    live: bool = True,
    schema: str | None = None,
) -> tuple[int, int]:
    """One projection's next batch (a group of one); returns ``(positions covered, position
    after the batch)``. Raises :class:`ProjectionOutdatedError` when a newer version of the
    projection's code built its live tables."""
    member = Member(projection, consumer, topics, schema)
    done = apply_group_batch(conn, [member], tenant_id=tenant_id, limit=limit, live=live)
    if done.outdated:
        raise ProjectionOutdatedError(
            f"projection {projection.name!r}: its live tables are version"
            f" {done.outdated[consumer]}, this code is version {projection.version}"
        )
    return done.covered, done.positions.get(consumer, 0)
