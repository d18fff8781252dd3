"""Sealing one personal field value with AES-256-GCM under its subject's data key.

A sealed value replaces the plain value inside the stored event's JSON state::

    {"_sealed_": "<key id, 32 hex digits>:<base64 of nonce (12 bytes) ‖ ciphertext ‖ tag>"}

The plaintext is the value's JSON text; the associated data binds the ciphertext to its place
(hall, record, version, field), so a sealed value copied elsewhere does not open.

>>> import uuid
>>> key, key_id = bytes(32), uuid.UUID(int=1)
>>> where = associated_data("demo", "r1", 1, "applicant_name")
>>> sealed = seal_value(key, key_id, "张三", where)
>>> sealed_key_id(sealed) == key_id
True
>>> open_value(key, sealed, where)
'张三'
"""

from __future__ import annotations

import base64
import json
import os
from typing import Any
from uuid import UUID

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

__all__ = [
    "ERASED",
    "SEALED",
    "associated_data",
    "is_sealed",
    "new_data_key",
    "open_value",
    "seal_value",
    "sealed_key_id",
]

ERASED = "[erased]"
"""What every read shows for a personal field whose subject's key was destroyed."""

SEALED = "_sealed_"
"""The only key of a sealed value's JSON object."""

_NONCE = 12


def new_data_key() -> bytes:
    """A fresh random 256-bit data key."""
    return AESGCM.generate_key(bit_length=256)


def associated_data(tenant_id: str, record_id: str, version: int, field: str) -> bytes:
    """The AES-GCM associated data: where the value lives (not secret, not stored)."""
    return f"{tenant_id}\x1f{record_id}\x1f{version}\x1f{field}".encode()


def is_sealed(value: Any) -> bool:
    """True when ``value`` is a sealed value (a one-key ``{"_sealed_": …}`` object)."""
    return isinstance(value, dict) and len(value) == 1 and isinstance(value.get(SEALED), str)


def seal_value(key: bytes, key_id: UUID, value: Any, aad: bytes) -> dict[str, str]:
    """Encrypt ``value`` (any JSON value) under ``key``."""
    nonce = os.urandom(_NONCE)
    plain = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    box = AESGCM(key).encrypt(nonce, plain, aad)
    return {SEALED: f"{key_id.hex}:{base64.b64encode(nonce + box).decode()}"}


def sealed_key_id(sealed: dict[str, str]) -> UUID:
    """The id of the key that sealed ``sealed``."""
    return UUID(hex=sealed[SEALED].partition(":")[0])


def open_value(key: bytes, sealed: dict[str, str], aad: bytes) -> Any:
    """Decrypt a sealed value; raises ``cryptography.exceptions.InvalidTag`` if altered."""
    data = base64.b64decode(sealed[SEALED].partition(":")[2])
    plain = AESGCM(key).decrypt(data[:_NONCE], data[_NONCE:], aad)
    return json.loads(plain)
