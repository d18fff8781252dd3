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
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from projections.runtime.db import tenant_connection
from services.shared.ids import PLATFORM_LOG
from services.store.pool import Pool

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
    INSERT INTO idempotency_keys (tenant_id, principal, key, request_hash)
    VALUES (%(tenant)s, %(principal)s, %(key)s, %(hash)s)
    ON CONFLICT DO NOTHING RETURNING 1
), cleared AS (
    DELETE FROM idempotency_applied
    WHERE tenant_id = %(tenant)s AND principal = %(principal)s AND key = %(key)s
      AND EXISTS (SELECT FROM claimed)
)
SELECT 1 FROM claimed
"""
_SELECT = """
SELECT k.request_hash, k.response, k.created_at < now() - %s::interval AS stale,
       a.log_id, a.position
FROM idempotency_keys k
LEFT JOIN idempotency_applied a
    ON a.tenant_id = k.tenant_id AND a.principal = k.principal AND a.key = k.key
WHERE k.tenant_id = %s AND k.principal = %s AND k.key = %s
"""
_APPLIED = """
SELECT log_id, position FROM idempotency_applied
WHERE tenant_id = %s AND principal = %s AND key = %s
"""
_RECLAIM = """
UPDATE idempotency_keys SET created_at = now()
WHERE tenant_id = %s AND principal = %s AND key = %s AND response IS NULL
  AND created_at < now() - %s::interval
RETURNING 1
"""
_COMPLETE = """
UPDATE idempotency_keys SET response = %s, completed_at = now()
WHERE tenant_id = %s AND principal = %s AND key = %s
"""
_SETTLE = _COMPLETE + " AND response IS NULL RETURNING response"
_RESPONSE = (
    "SELECT response FROM idempotency_keys WHERE tenant_id = %s AND principal = %s AND key = %s"
)
_RELEASE = """
DELETE FROM idempotency_keys
WHERE tenant_id = %s AND principal = %s AND key = %s AND response IS NULL
"""


@dataclass(frozen=True)
class Claim:
    """What a request found under its key."""

    owned: bool = False
    """This request runs the mutation and stores the response."""
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
    named = {"tenant": tenant, "principal": principal, "key": key, "hash": request_hash}
    with tenant_connection(pool, tenant) as conn:
        conn.execute(_PURGE, {"tenant": tenant, "ttl": f"{ttl_seconds} seconds"})
        if conn.execute(_INSERT, named).fetchone():
            return Claim(owned=True)
        row = conn.execute(_SELECT, (f"{STALE_SECONDS} seconds", tenant, principal, key)).fetchone()
        if row is None:  # deleted between the two statements: claim on the next try
            return Claim()
        return _found(conn, tenant, principal, key, request_hash, row)


def _found(
    conn: psycopg.Connection[Any],
    tenant: str,
    principal: str,
    key: str,
    request_hash: str,
    row: tuple[Any, ...],
) -> Claim:
    """What the key's row (and its record of being applied) means for this request."""
    stored_hash, response, stale, log_id, position = row
    if stored_hash != request_hash:
        return Claim(mismatch=True)
    if response is not None:
        return Claim(response=response)
    if stale and position is not None:  # applied, then died before storing its response
        return Claim(response=_settle(conn, tenant, principal, key, log_id, position))
    reclaimed = (
        stale
        and conn.execute(_RECLAIM, (tenant, principal, key, f"{STALE_SECONDS} seconds")).fetchone()
    )
    return Claim(owned=bool(reclaimed))


def complete(pool: Pool, tenant: str, principal: str, key: str, response: dict[str, Any]) -> None:
    """Store the first response under the key."""
    with tenant_connection(pool, tenant) as conn:
        conn.execute(_COMPLETE, (Jsonb(response), tenant, principal, key))


def release(pool: Pool, tenant: str, principal: str, key: str) -> None:
    """Give the key up (the request failed internally): a retry runs the mutation again.

    Unless the request was applied before it failed: the key then keeps
    :func:`already_applied`, so a retry does not apply it a second time.
    """
    with tenant_connection(pool, tenant) as conn:
        applied = conn.execute(_APPLIED, (tenant, principal, key)).fetchone()
        if applied is None:
            conn.execute(_RELEASE, (tenant, principal, key))
        else:
            _settle(conn, tenant, principal, key, *applied)


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
