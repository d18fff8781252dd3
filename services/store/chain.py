"""The per-hall hash chain: each event stores ``sha256(previous hash ‖ canonical bytes)``.

The canonical bytes are the same as SQL ``yanshen_event_bytes`` in
``sql/0002_event_store.sql``; the verifier recomputes them here, independently of the database.
"""

from __future__ import annotations

import hashlib
import struct

__all__ = ["GENESIS_HASH", "event_bytes", "next_hash"]

GENESIS_HASH = bytes(32)
"""The "previous hash" of a hall's first event (position 1)."""


def _text(value: str) -> bytes:
    data = value.encode("utf-8")
    return struct.pack(">i", len(data)) + data


def event_bytes(
    tenant_id: str,
    position: int,
    originator_id: str,
    originator_version: int,
    topic: str,
    state: bytes,
) -> bytes:
    """Canonical, unambiguous (length-prefixed) bytes of one event."""
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


def next_hash(prev_hash: bytes, canonical: bytes) -> bytes:
    """The chain link of an event given the previous event's hash."""
    return hashlib.sha256(prev_hash + canonical).digest()
