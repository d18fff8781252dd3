"""The ``idempotency_keys`` table: claim a key, store its first response, replay it.

One row per (hall, caller, key). The first request inserts the row (``response`` NULL
while it runs); a concurrent duplicate finds the row and waits for the response; a
request with a different body under the same key is a conflict. Rows older than the TTL
are deleted when the hall next claims a key. A row whose first request died (no response
after :data:`STALE_SECONDS`) may be claimed again, unless that request was applied: its
appends recorded the key in ``idempotency_applied`` in their own transactions
(:mod:`services.store.request_key`), and the key then answers :func:`already_applied` for
good instead of running the request a second time. So does a request that was applied and
then failed internally (:func:`release`).

Every claim is one attempt (``attempt``, new when a stale claim is taken over): only the
attempt holding the claim may append (``yanshen_append_keyed`` checks it in the append's
transaction), store a response or give the key up, so a slow first attempt and its retry
never both apply the request. The take-over locks the claim row before it reads
``idempotency_applied``, and an append holds that lock until it commits: either the slow
attempt's append is seen (the key answers :func:`already_applied`) or the take-over wins (the
slow attempt's append is refused, ``SUPERSEDED``).

A kept response notes the data keys that sealed or opened personal data while its request
ran (``data_keys``); destroying one of them (个人信息删除) drops the response in the erasure's
transaction (``projections/gateway_state/sql/0002_…``). :func:`complete` itself keeps no
response whose keys were destroyed while the request ran.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import uuid4

import psycopg
from psycopg.types.json import Jsonb

from projections.runtime.db import tenant_connection
from services.shared.ids import PLATFORM_LOG
from services.store.pool import Pool
from services.store.request_key import DataKeysUsed

__all__ = [
    "ALREADY_APPLIED",
    "STALE_SECONDS",
    "Claim",
    "already_applied",
    "claim",
    "complete",
    "release",
]

STALE_SECONDS = 60
"""A claim without a response after this long is taken to have died with its request."""

ALREADY_APPLIED = "ALREADY_APPLIED"
"""The code of the answer to a key whose request was applied but whose response was lost."""

_PURGE = """
WITH applied AS (
    DELETE FROM idempotency_applied
    WHERE tenant_id = %(tenant)s AND applied_at < now() - %(ttl)s::interval
)
DELETE FROM idempotency_keys WHERE tenant_id = %(tenant)s AND created_at < now() - %(ttl)s::interval
"""
# A key claimed afresh (none kept, or its row purged) drops what an earlier use of it left in
# idempotency_applied: the key's record is only ever its current use's.
_INSERT = """
WITH claimed AS (
    INSERT INTO idempotency_keys (tenant_id, principal, key, request_hash, attempt)
    VALUES (%(tenant)s, %(principal)s, %(key)s, %(hash)s, %(attempt)s)
    ON CONFLICT DO NOTHING RETURNING 1
), cleared AS (
    DELETE FROM idempotency_applied
    WHERE tenant_id = %(tenant)s AND principal = %(principal)s AND key = %(key)s
      AND EXISTS (SELECT FROM claimed)
)
SELECT 1 FROM claimed
"""
# Locked, and idempotency_applied read in a statement of its own after the lock is held: an
# append of the claim's attempt holds the row (FOR SHARE) until it commits, so what it
# recorded is seen before the claim is taken over.
_SELECT = """
SELECT request_hash, response, created_at < now() - %s::interval AS stale
FROM idempotency_keys
WHERE tenant_id = %s AND principal = %s AND key = %s
FOR UPDATE
"""
_APPLIED = """
SELECT log_id, position FROM idempotency_applied
WHERE tenant_id = %s AND principal = %s AND key = %s
"""
_RECLAIM = """
UPDATE idempotency_keys SET created_at = now(), attempt = %s
WHERE tenant_id = %s AND principal = %s AND key = %s AND response IS NULL
  AND created_at < now() - %s::interval
RETURNING 1
"""
_COMPLETE = """
UPDATE idempotency_keys SET response = %s, data_keys = %s, completed_at = now()
WHERE tenant_id = %s AND principal = %s AND key = %s AND attempt = %s
"""
_SETTLE = """
UPDATE idempotency_keys SET response = %s, data_keys = '{}', completed_at = now()
WHERE tenant_id = %s AND principal = %s AND key = %s AND response IS NULL
RETURNING response
"""
_SET_HALL = "SELECT set_config('yanshen.tenant_id', %s, true)"
# Locked (an erasure destroying one of them waits for this transaction, whose response its
# trigger then finds), or read after the erasure committed (destroyed: nothing is kept).
_DESTROYED = """
SELECT count(*) FILTER (WHERE data_key IS NULL) FROM (
    SELECT data_key FROM subject_keys WHERE tenant_id = %s AND key_id = ANY(%s)
    ORDER BY key_id FOR SHARE
) k
"""
_RESPONSE = (
    "SELECT response FROM idempotency_keys WHERE tenant_id = %s AND principal = %s AND key = %s"
)
_RELEASE = """
DELETE FROM idempotency_keys
WHERE tenant_id = %s AND principal = %s AND key = %s AND response IS NULL AND attempt = %s
"""
_HOLDS = """
SELECT 1 FROM idempotency_keys
WHERE tenant_id = %s AND principal = %s AND key = %s AND attempt = %s
FOR UPDATE
"""


@dataclass(frozen=True)
class Claim:
    """What a request found under its key."""

    owned: bool = False
    """This request runs the mutation and stores the response."""
    attempt: str = ""
    """The id of this request's claim, when owned (appends and :func:`complete` give it)."""
    mismatch: bool = False
    """The key was first used with a different request."""
    response: dict[str, Any] | None = None
    """The first response, to replay (or :func:`already_applied`)."""

    @property
    def pending(self) -> bool:
        """Another request with this key is still running."""
        return not (self.owned or self.mismatch or self.response is not None)


def already_applied(log_id: str, position: int) -> dict[str, Any]:
    """The response kept for a key whose request was applied but never answered."""
    where = "the platform log" if log_id == PLATFORM_LOG else f"hall {log_id}"
    message = (
        "the first request with this Idempotency-Key was applied (its first event is at "
        f"position {position} of {where}), but its response was lost; it was not run "
        "again: read the record to see its state, and send a new key only for a new request"
    )
    extensions = {"position": position, "logId": log_id}
    return {
        "data": None,
        "errors": [
            {"message": message, "path": None, "code": ALREADY_APPLIED, "extensions": extensions}
        ],
    }


def claim(
    pool: Pool, tenant: str, principal: str, key: str, request_hash: str, ttl_seconds: int
) -> Claim:
    """Claim ``key`` for a request, or report what the key already holds.

    A stale claim (its request died) whose request was applied is settled with
    :func:`already_applied` rather than claimed again.
    """
    attempt = str(uuid4())
    named = {
        "tenant": tenant,
        "principal": principal,
        "key": key,
        "hash": request_hash,
        "attempt": attempt,
    }
    with tenant_connection(pool, tenant) as conn:
        conn.execute(_PURGE, {"tenant": tenant, "ttl": f"{ttl_seconds} seconds"})
        if conn.execute(_INSERT, named).fetchone():
            return Claim(owned=True, attempt=attempt)
        row = conn.execute(_SELECT, (f"{STALE_SECONDS} seconds", tenant, principal, key)).fetchone()
        if row is None:  # deleted between the two statements: claim on the next try
            return Claim()
        return _found(conn, tenant, principal, key, request_hash, attempt, row)


def _found(
    conn: psycopg.Connection[Any],
    tenant: str,
    principal: str,
    key: str,
    request_hash: str,
    attempt: str,
    row: tuple[Any, ...],
) -> Claim:
    """What the key's (locked) row, and its record of being applied, mean for this request."""
    stored_hash, response, stale = row
    if stored_hash != request_hash:
        return Claim(mismatch=True)
    if response is not None:
        return Claim(response=response)
    if not stale:
        return Claim()
    applied = conn.execute(_APPLIED, (tenant, principal, key)).fetchone()
    if applied is not None:  # applied, then died (or is still running) without a response
        return Claim(response=_settle(conn, tenant, principal, key, *applied))
    stale_after = f"{STALE_SECONDS} seconds"
    reclaimed = conn.execute(_RECLAIM, (attempt, tenant, principal, key, stale_after)).fetchone()
    return Claim(owned=True, attempt=attempt) if reclaimed else Claim()


def complete(
    pool: Pool,
    tenant: str,
    principal: str,
    key: str,
    attempt: str,
    response: dict[str, Any],
    used: DataKeysUsed,
) -> None:
    """Store the first response under the key, if ``attempt`` still holds its claim (a
    superseded attempt stores nothing), noting the data keys ``used`` while it ran.

    A response whose data keys were destroyed meanwhile (an erasure while the request ran)
    is not kept: the key is given up as by :func:`release`.
    """
    with tenant_connection(pool, tenant) as conn:
        if _destroyed(conn, tenant, used):
            _give_up(conn, tenant, principal, key, attempt)
            return
        args = (Jsonb(response), used.ids(), tenant, principal, key, attempt)
        conn.execute(_COMPLETE, args)


def release(pool: Pool, tenant: str, principal: str, key: str, attempt: str) -> None:
    """Give the key up (the request failed internally): a retry runs the mutation again.

    Unless the request was applied before it failed: the key then keeps
    :func:`already_applied`, so a retry does not apply it a second time. Nothing is done
    when ``attempt`` no longer holds the claim (a retry took it over).
    """
    with tenant_connection(pool, tenant) as conn:
        _give_up(conn, tenant, principal, key, attempt)


def _give_up(
    conn: psycopg.Connection[Any], tenant: str, principal: str, key: str, attempt: str
) -> None:
    if conn.execute(_HOLDS, (tenant, principal, key, attempt)).fetchone() is None:
        return  # superseded: the claim is another attempt's
    applied = conn.execute(_APPLIED, (tenant, principal, key)).fetchone()
    if applied is None:
        conn.execute(_RELEASE, (tenant, principal, key, attempt))
    else:
        _settle(conn, tenant, principal, key, *applied)


def _destroyed(conn: psycopg.Connection[Any], scope: str, used: DataKeysUsed) -> bool:
    """Whether any of the data keys ``used`` was destroyed; locks the others until commit."""
    destroyed = 0
    for hall, ids in sorted(used.by_hall.items()):
        conn.execute(_SET_HALL, (hall,))  # subject_keys rows are their hall's (RLS)
        row = conn.execute(_DESTROYED, (hall, sorted(ids))).fetchone()
        destroyed += int(row[0]) if row else 0
    conn.execute(_SET_HALL, (scope,))
    return destroyed > 0


def _settle(
    conn: psycopg.Connection[Any], tenant: str, principal: str, key: str, log_id: str, position: int
) -> dict[str, Any]:
    """Keep :func:`already_applied` as the key's response; return the response kept (another
    one if one was stored meanwhile: by a concurrent retry, or the request itself, slow
    rather than dead)."""
    response = already_applied(log_id, int(position))
    kept = conn.execute(_SETTLE, (Jsonb(response), tenant, principal, key)).fetchone()
    if kept is None:
        kept = conn.execute(_RESPONSE, (tenant, principal, key)).fetchone()
    return dict(kept[0]) if kept is not None and kept[0] is not None else response
