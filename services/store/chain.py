"""The per-hall hash chain: each event stores ``sha256(previous hash ‖ canonical bytes)``.

The canonical bytes are the same as SQL ``yanshen_chain_bytes`` in
``sql/0009_chain_format_2.sql``; the verifier recomputes them here, independently of the
database. Each row records its chain format (``events.chain_format``):

- **1** (rows appended before migration 0009): :func:`event_bytes` — hall, position,
  originator, version, topic and state; ``recorded_at`` is not covered.
- **2** (every append since): :func:`event_bytes` followed by ``len(t) t``, ``t`` being
  ``recorded_at`` as canonical UTC text (:func:`recorded_at_text`), so a changed
  ``recorded_at`` no longer matches the hash.
"""

from __future__ import annotations

import hashlib
import struct
from datetime import UTC, datetime

__all__ = [
    "CHAIN_FORMATS",
    "CURRENT_CHAIN_FORMAT",
    "GENESIS_HASH",
    "chain_bytes",
    "event_bytes",
    "next_hash",
    "recorded_at_text",
]

GENESIS_HASH = bytes(32)
"""The "previous hash" of a hall's first event (position 1)."""

CHAIN_FORMATS = (1, 2)
"""Chain formats a row may have."""
CURRENT_CHAIN_FORMAT = 2
"""The format ``yanshen_append`` writes."""


def _text(value: str) -> bytes:
    data = value.encode("utf-8")
    return struct.pack(">i", len(data)) + data


def recorded_at_text(recorded_at: datetime) -> str:
    """``recorded_at`` in UTC as ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (what format 2 hashes).

    The same text as SQL ``yanshen_recorded_at_text``, whatever the session's time zone.
    """
    if recorded_at.tzinfo is None:
        raise ValueError("recorded_at must be timezone-aware")
    utc = recorded_at.astimezone(UTC).replace(tzinfo=None)
    return utc.isoformat(timespec="microseconds") + "Z"


def event_bytes(
    tenant_id: str,
    position: int,
    originator_id: str,
    originator_version: int,
    topic: str,
    state: bytes,
) -> bytes:
    """Canonical, unambiguous (length-prefixed) bytes of one event (chain format 1)."""
    return b"".join(
        (
            _text(tenant_id),
            struct.pack(">q", position),
            _text(originator_id),
            struct.pack(">q", originator_version),
            _text(topic),
            struct.pack(">i", len(state)),
            state,
        )
    )


def chain_bytes(
    chain_format: int,
    tenant_id: str,
    position: int,
    originator_id: str,
    originator_version: int,
    topic: str,
    state: bytes,
    recorded_at: datetime,
) -> bytes:
    """The bytes a row of ``chain_format`` hashes (format 2 binds ``recorded_at``)."""
    canonical = event_bytes(tenant_id, position, originator_id, originator_version, topic, state)
    if chain_format == 1:
        return canonical
    if chain_format == 2:
        return canonical + _text(recorded_at_text(recorded_at))
    raise ValueError(f"unknown chain format {chain_format!r}")


def next_hash(prev_hash: bytes, canonical: bytes) -> bytes:
    """The chain link of an event given the previous event's hash."""
    return hashlib.sha256(prev_hash + canonical).digest()
