"""Audit of a hall's hash chain (``yanshen verify --tenant T``).

Walks the hall's events in position order, recomputing every link in Python (independently
of the database's ``sha256()``), and reports OK or the first position where a row was
altered (including its ``recorded_at``, for rows of chain format 2), removed, or put out of
order, or where the head row disagrees with the chain. A hall without any log is refused
(:class:`~services.store.tenant.UnknownTenantError`), not reported as an intact chain of 0
events.

The chain proves that no row was changed *after* the fact relative to the head hash; anchor
the head hash elsewhere (e.g. publish it periodically) to also detect a full rewrite.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg
import psycopg_pool

from services.store.chain import CHAIN_FORMATS, GENESIS_HASH, chain_bytes, next_hash
from services.store.pool import ROLES
from services.store.statements import SET_TENANT
from services.store.tenant import UnknownTenantError, validate_tenant_id

__all__ = ["ChainVerification", "verify_chain", "verify_tenant"]

_BATCH = 5000
_SELECT = (
    "SELECT position, originator_id, originator_version, topic, state, recorded_at, chain_format,"
    " prev_hash, hash FROM events WHERE tenant_id = %s ORDER BY position"
)
_HEAD = "SELECT position, last_hash FROM tenant_heads WHERE tenant_id = %s"


@dataclass(frozen=True)
class ChainVerification:
    """Result of verifying one hall's chain."""

    ok: bool
    """True when every event links to the previous one and the head matches the chain."""
    tenant_id: str
    events_checked: int
    """Events whose link was recomputed (up to and including the first bad one)."""
    first_bad_position: int | None = None
    """The first position where the chain breaks; ``None`` when :attr:`ok`."""
    reason: str = ""
    head_position: int = 0
    """The position recorded in the hall's head row (0: no events)."""
    unbound_recorded_at: int = 0
    """Events of chain format 1 (appended before migration 0009): their ``recorded_at`` is
    not covered by the chain."""

    def __str__(self) -> str:
        if self.ok:
            unbound = (
                f" ({self.unbound_recorded_at} events of chain format 1: recorded_at not covered)"
                if self.unbound_recorded_at
                else ""
            )
            return f"OK: hall {self.tenant_id}, {self.events_checked} events, chain intact{unbound}"
        return (
            f"BROKEN: hall {self.tenant_id} at position {self.first_bad_position}: "
            f"{self.reason} ({self.events_checked} events checked)"
        )


def _link(
    tenant_id: str, row: tuple[Any, ...], expected: int, prev: bytes, newest_format: int
) -> tuple[bytes, str]:
    """The row's recomputed hash, and why it breaks the chain (``""``: it does not)."""
    position, originator_id, version, topic, state, at, chain_format, prev_hash, stored = row
    if position != expected:
        return b"", f"position {expected} is missing (next stored position is {position})"
    if bytes(prev_hash) != prev:
        return b"", "does not link to the previous event's hash"
    if chain_format not in CHAIN_FORMATS:
        return b"", f"unknown chain format {chain_format}"
    if chain_format < newest_format:  # appends only ever write the current format
        return b"", f"chain format {chain_format} after {newest_format}"
    canonical = chain_bytes(
        chain_format, tenant_id, position, originator_id, version, topic, bytes(state), at
    )
    computed = next_hash(prev, canonical)
    if computed != bytes(stored):
        return computed, "content or recorded_at does not match its hash (altered)"
    return computed, ""


def _walk(conn: psycopg.Connection[Any], tenant_id: str) -> ChainVerification:
    head = conn.execute(_HEAD, (tenant_id,)).fetchone()
    head_position, head_hash = (int(head[0]), bytes(head[1])) if head else (0, GENESIS_HASH)

    def bad(position: int, checked: int, reason: str) -> ChainVerification:
        return ChainVerification(False, tenant_id, checked, position, reason, head_position)

    expected, prev, checked, newest_format, unbound = 1, GENESIS_HASH, 0, 1, 0
    with conn.cursor(name="yanshen_verify") as cursor:
        cursor.itersize = _BATCH
        cursor.execute(_SELECT, (tenant_id,))
        for row in cursor:
            checked += 1
            computed, reason = _link(tenant_id, row, expected, prev, newest_format)
            if reason:
                return bad(expected, checked, reason)
            prev, expected, newest_format = computed, expected + 1, int(row[6])
            unbound += row[6] == 1
    last = expected - 1
    if head is None and checked == 0:
        raise UnknownTenantError(tenant_id)  # not an intact chain of 0 events: no hall at all
    if head_position != last:
        return bad(
            last + 1,
            checked,
            f"head row says position {head_position} but the "
            f"chain ends at {last} (events removed or head moved)",
        )
    if head_hash != prev:
        return bad(last, checked, "head row's last hash does not match the chain")
    return ChainVerification(True, tenant_id, checked, None, "", head_position, unbound)


def verify_chain(
    pool_or_conn: psycopg_pool.ConnectionPool[Any] | psycopg.Connection[Any], tenant_id: str
) -> ChainVerification:
    """Verify ``tenant_id``'s chain with a pool's connection or a given connection.

    Runs in one read-only repeatable-read transaction with the hall set, so it sees one
    consistent snapshot and, as role ``yanshen_app``, only the hall's rows. A hall with
    neither events nor a head row does not exist: :class:`UnknownTenantError`.
    """
    validate_tenant_id(tenant_id)
    if isinstance(pool_or_conn, psycopg_pool.ConnectionPool):
        with pool_or_conn.connection() as conn:
            return _verify_on(conn, tenant_id)
    return _verify_on(pool_or_conn, tenant_id)


def _verify_on(conn: psycopg.Connection[Any], tenant_id: str) -> ChainVerification:
    with conn.transaction():
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        conn.execute(SET_TENANT, (tenant_id,))
        return _walk(conn, tenant_id)


def verify_tenant(database_url: str, tenant_id: str) -> ChainVerification:
    """Verify a hall's chain from the command line (connects, takes role ``yanshen_app``)."""
    validate_tenant_id(tenant_id)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(f"SET ROLE {ROLES['app']}")
        return _verify_on(conn, tenant_id)
