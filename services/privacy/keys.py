"""The data keys of a hall's data subjects (table ``subject_keys``, migration 0005).

Every function takes ``fetch``: a hall-bound statement runner (the store's
``TenantSession.fetch``), so row-level security confines it to the hall. Keys are never cached
across calls: once a key is destroyed, no process can open the subject's fields again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

from services.privacy.sealing import new_data_key

__all__ = [
    "DataKey",
    "Fetch",
    "destroy_subject_keys",
    "had_keys",
    "load_keys",
    "record_key",
    "records_of",
    "resolve_keys",
    "subjects_of_record",
]

_RESOLVE = "SELECT ord, subject_id, key_id, data_key FROM yanshen_subject_keys(%s, %s, %s, %s)"
_LOAD = "SELECT key_id, data_key FROM subject_keys WHERE tenant_id = %s AND key_id = ANY(%s)"
_RECORD_SUBJECT = (
    "SELECT subject_id FROM subject_records WHERE tenant_id = %s AND aggregate_id = %s "
    "ORDER BY created_at, subject_id LIMIT 1"
)
_RECORDS_OF = (
    "SELECT DISTINCT aggregate_id FROM subject_records "
    "WHERE tenant_id = %s AND subject_id = %s ORDER BY aggregate_id"
)
_HAD_KEYS = "SELECT 1 FROM subject_keys WHERE tenant_id = %s AND subject_id = %s LIMIT 1"
_SUBJECTS_OF_RECORD = (
    "SELECT subject_id FROM subject_records WHERE tenant_id = %s AND aggregate_id = %s "
    "ORDER BY created_at, subject_id"
)
DESTROY = """
UPDATE subject_keys SET data_key = NULL, erased_at = now()
WHERE tenant_id = %(tenant)s AND data_key IS NOT NULL AND key_id IN (
    SELECT key_id FROM subject_keys
    WHERE tenant_id = %(tenant)s AND data_key IS NOT NULL
      AND (subject_id = %(subject)s OR subject_id IN (
            SELECT 'record:' || r.aggregate_id FROM subject_records r
            WHERE r.tenant_id = %(tenant)s AND r.subject_id = %(subject)s
              AND NOT EXISTS (
                  SELECT 1 FROM subject_records o
                  WHERE o.tenant_id = r.tenant_id AND o.aggregate_id = r.aggregate_id
                    AND o.subject_id NOT IN (%(subject)s, 'record:' || r.aggregate_id))))
    ORDER BY key_id FOR UPDATE)
"""
"""Destroy a subject's active key, and the record keys of the records that hold no other
subject's data (a record of one applicant; never a shared record such as a queue day).

The keys are locked by key id first, in the order a keyed request storing its response locks
the keys it used (``gateway/idempotency/store.py``): locked as found, an erasure holding one
key while that request held another would deadlock with it."""


class Fetch(Protocol):
    """Runs one statement in a transaction of one hall; returns its rows."""

    def __call__(
        self,
        sql: str,
        params: Sequence[Any] | dict[str, Any],
        *,
        before: Sequence[tuple[str, Sequence[Any] | dict[str, Any]]] = (),
        rows: bool = True,
    ) -> list[tuple[Any, ...]]: ...


@dataclass(frozen=True)
class DataKey:
    """An active data key of one subject."""

    subject_id: str
    key_id: UUID
    key: bytes


def resolve_keys(
    fetch: Fetch, tenant_id: str, records: Sequence[tuple[str, str | None]]
) -> list[DataKey]:
    """The active key for each ``(record id, subject id or None)``, created on first use.

    One round trip for the whole list. ``None`` means the record's subject (see
    :mod:`services.privacy.fields`).
    """
    rows = fetch(
        _RESOLVE,
        (
            tenant_id,
            [r for r, _ in records],
            [s for _, s in records],
            [new_data_key() for _ in records],
        ),
    )
    by_ord = {int(o): DataKey(str(s), k, bytes(d)) for o, s, k, d in rows}
    return [by_ord[i + 1] for i in range(len(records))]


def load_keys(fetch: Fetch, tenant_id: str, key_ids: Sequence[UUID]) -> dict[UUID, bytes]:
    """The keys among ``key_ids`` that still exist (destroyed keys are absent)."""
    rows = fetch(_LOAD, (tenant_id, list(key_ids)))
    return {k: bytes(d) for k, d in rows if d is not None}


def record_key(fetch: Fetch, tenant_id: str, record_id: str) -> DataKey | None:
    """The key of a record's subject, if the record holds personal data (for snapshots)."""
    found = fetch(_RECORD_SUBJECT, (tenant_id, record_id))
    if not found:
        return None
    return resolve_keys(fetch, tenant_id, [(record_id, str(found[0][0]))])[0]


def destroy_subject_keys(fetch: Fetch, tenant_id: str, subject_id: str) -> int:
    """Destroy ``subject_id``'s keys now (outside an erasure event; tests and tools)."""
    return len(fetch(DESTROY + " RETURNING key_id", {"tenant": tenant_id, "subject": subject_id}))


def records_of(fetch: Fetch, tenant_id: str, subject_id: str) -> list[str]:
    """The records (aggregate ids) that hold personal data of ``subject_id``."""
    return [str(r[0]) for r in fetch(_RECORDS_OF, (tenant_id, subject_id))]


def had_keys(fetch: Fetch, tenant_id: str, subject_id: str) -> bool:
    """Whether ``subject_id`` ever had a key in the hall (active or destroyed)."""
    return bool(fetch(_HAD_KEYS, (tenant_id, subject_id)))


def subjects_of_record(fetch: Fetch, tenant_id: str, record_id: str) -> list[str]:
    """The subjects whose keys sealed personal data of the record, first subject first
    (``record:<record id>`` among them when the record has data of its own)."""
    return [str(r[0]) for r in fetch(_SUBJECTS_OF_RECORD, (tenant_id, record_id))]
