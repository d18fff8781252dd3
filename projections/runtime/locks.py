"""Advisory locks of the projection runtime (transaction-scoped unless stated).

Every live batch of a projection holds its *shared* lock; a rebuild's swap takes the
*exclusive* one, so no live batch of that projection runs while the tables and positions
are swapped. A worker's group batch holds the shared locks of all its projections, so its
batches wait for the swap (the last events and at most ``Rebuild.table_lock_timeout`` for
the tables, per attempt). A second session lock keeps two rebuilds of one projection from
running at once; it is held from the rebuild's start until it has cleaned up, so a free one
means that projection has no running rebuild (:mod:`projections.runtime.sweep`). A
repeatable-read reader of the live tables holds the shared locks for its whole transaction
(:func:`held_against_swaps`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg

__all__ = [
    "BATCHES",
    "held_against_swaps",
    "hold_for_batch",
    "hold_for_swap",
    "release_rebuild",
    "try_hold_for_rebuild",
]

BATCHES = 0x59500001
"""Namespace (first key) of the per-projection batch/swap locks."""
_REBUILDS = 0x59500002
"""Namespace of the per-projection rebuild session locks (also in
``projections/runtime/sql/0001_rebuild_sweep.sql``: 1498415106)."""


def hold_for_batch(conn: psycopg.Connection[Any], projection: str) -> None:
    """Shared lock for one live batch of ``projection`` (until the transaction ends)."""
    conn.execute("SELECT pg_advisory_xact_lock_shared(%s, hashtext(%s))", (BATCHES, projection))


def hold_for_swap(conn: psycopg.Connection[Any], projection: str) -> None:
    """Exclusive lock: waits for running batches of ``projection``; new ones wait for us."""
    conn.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (BATCHES, projection))


@contextmanager
def held_against_swaps(conn: psycopg.Connection[Any], projections: Sequence[str]) -> Iterator[None]:
    """Shared session locks of ``projections``: no rebuild swaps their tables until the block
    ends. For a repeatable-read transaction on the autocommit ``conn`` inside the block: its
    snapshot is taken at its first statement, but table names resolve in the current catalog,
    so a swap committed after that statement would show it the new tables with the old
    snapshot (rows of the rebuild it cannot see). Taken before the transaction begins, the
    locks leave no swap between the two. Hold them briefly: a swap waits for them (and gives
    up after its attempts), and live batches queue behind a waiting swap.
    """
    names = sorted(set(projections))
    try:
        conn.execute(
            "SELECT pg_advisory_lock_shared(%s, hashtext(n)) FROM unnest(%s::text[]) n",
            (BATCHES, names),
        )
        yield
    finally:
        # Also after a lock statement that failed part-way: the locks it took stay held.
        _release_shared(conn, names)


def _release_shared(conn: psycopg.Connection[Any], names: list[str]) -> None:
    """Release the shared session locks of ``names`` (one not held: nothing happens)."""
    if conn.closed:
        return  # a lost session has lost its locks
    try:
        conn.execute(
            "SELECT pg_advisory_unlock_shared(%s, hashtext(n)) FROM unnest(%s::text[]) n",
            (BATCHES, names),
        )
    except BaseException:
        conn.close()  # a pooled connection must not go back holding locks: the pool drops it
        raise


def try_hold_for_rebuild(conn: psycopg.Connection[Any], projection: str) -> bool:
    """Session lock on rebuilding ``projection``; ``False`` when another rebuild holds it."""
    row = conn.execute(
        "SELECT pg_try_advisory_lock(%s, hashtext(%s))", (_REBUILDS, projection)
    ).fetchone()
    return bool(row and row[0])


def release_rebuild(conn: psycopg.Connection[Any], projection: str) -> None:
    conn.execute("SELECT pg_advisory_unlock(%s, hashtext(%s))", (_REBUILDS, projection))
