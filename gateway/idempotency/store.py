"""The ``idempotency_keys`` table: claim a key, store its first response, replay it.

One row per (hall, caller, key). The first request inserts the row (``response`` NULL
while it runs); a concurrent duplicate finds the row and waits for the response; a
request with a different body under the same key is a conflict. Rows older than the TTL
are deleted when the hall next claims a key. A row whose first request died (no response
after :data:`STALE_SECONDS`) may be claimed again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from psycopg.types.json import Jsonb

from projections.runtime.db import tenant_connection
from services.store.pool import Pool

__all__ = ["STALE_SECONDS", "Claim", "claim", "complete", "release"]

STALE_SECONDS = 60
"""A claim without a response after this long is taken to have died with its request."""

_PURGE = "DELETE FROM idempotency_keys WHERE tenant_id = %s AND created_at < now() - %s::interval"
_INSERT = """
INSERT INTO idempotency_keys (tenant_id, principal, key, request_hash) VALUES (%s, %s, %s, %s)
ON CONFLICT DO NOTHING RETURNING 1
"""
_SELECT = """
SELECT request_hash, response, created_at < now() - %s::interval AS stale
FROM idempotency_keys WHERE tenant_id = %s AND principal = %s AND key = %s
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
    """The first response, to replay."""

    @property
    def pending(self) -> bool:
        """Another request with this key is still running."""
        return not (self.owned or self.mismatch or self.response is not None)


def claim(
    pool: Pool, tenant: str, principal: str, key: str, request_hash: str, ttl_seconds: int
) -> Claim:
    """Claim ``key`` for a request, or report what the key already holds."""
    with tenant_connection(pool, tenant) as conn:
        conn.execute(_PURGE, (tenant, f"{ttl_seconds} seconds"))
        if conn.execute(_INSERT, (tenant, principal, key, request_hash)).fetchone():
            return Claim(owned=True)
        row = conn.execute(_SELECT, (f"{STALE_SECONDS} seconds", tenant, principal, key)).fetchone()
        if row is None:  # deleted between the two statements: claim on the next try
            return Claim()
        stored_hash, response, stale = row
        if stored_hash != request_hash:
            return Claim(mismatch=True)
        if response is not None:
            return Claim(response=response)
        if (
            stale
            and conn.execute(
                _RECLAIM, (tenant, principal, key, f"{STALE_SECONDS} seconds")
            ).fetchone()
        ):
            return Claim(owned=True)
        return Claim()


def complete(pool: Pool, tenant: str, principal: str, key: str, response: dict[str, Any]) -> None:
    """Store the first response under the key."""
    with tenant_connection(pool, tenant) as conn:
        conn.execute(_COMPLETE, (Jsonb(response), tenant, principal, key))


def release(pool: Pool, tenant: str, principal: str, key: str) -> None:
    """Give the key up (the request failed internally): a retry runs the mutation again."""
    with tenant_connection(pool, tenant) as conn:
        conn.execute(_RELEASE, (tenant, principal, key))
