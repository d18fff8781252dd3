"""The platform's Ed25519 signing key for export bundles.

The key comes from the environment:

- ``YANSHEN_AUDIT_SIGNING_KEY``: the private key as PEM (PKCS#8) text, or the base64 of its
  raw 32 bytes; or
- ``YANSHEN_AUDIT_SIGNING_KEY_FILE``: the path of a PEM file (``yanshen audit keygen`` writes
  one, mode 0600, with the public key beside it in ``<file>.pub``).

Auditors pin the public key (base64 of its raw 32 bytes, as in ``<file>.pub``) when they
verify a bundle: ``yanshen audit verify BUNDLE --public-key KEY.pub``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Mapping
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.audit.errors import AuditError

__all__ = [
    "KEY_ENV",
    "KEY_FILE_ENV",
    "SigningKeyError",
    "generate_key_file",
    "key_id",
    "load_signing_key",
    "parse_private_key",
    "public_key_b64",
]

KEY_ENV = "YANSHEN_AUDIT_SIGNING_KEY"
KEY_FILE_ENV = "YANSHEN_AUDIT_SIGNING_KEY_FILE"


class SigningKeyError(AuditError):
    """No usable signing key is configured."""


def parse_private_key(text: str | bytes) -> Ed25519PrivateKey:
    """An Ed25519 private key from PEM text or the base64 of its raw 32 bytes."""
    data = text.encode() if isinstance(text, str) else text
    if b"-----BEGIN" in data:
        key = serialization.load_pem_private_key(data, password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise SigningKeyError("the signing key is not an Ed25519 key")
        return key
    try:
        raw = base64.b64decode(data.strip(), validate=True)
    except binascii.Error:
        raise SigningKeyError("the signing key is neither PEM nor base64") from None
    if len(raw) != 32:
        raise SigningKeyError("a raw Ed25519 private key is 32 bytes")
    return Ed25519PrivateKey.from_private_bytes(raw)


def load_signing_key(env: Mapping[str, str] | None = None) -> Ed25519PrivateKey:
    """The platform's key from ``YANSHEN_AUDIT_SIGNING_KEY`` or ``…_FILE``."""
    env = os.environ if env is None else env
    if env.get(KEY_ENV, "").strip():
        return parse_private_key(env[KEY_ENV])
    path = env.get(KEY_FILE_ENV, "").strip()
    if path:
        try:
            return parse_private_key(Path(path).read_bytes())
        except OSError as error:
            raise SigningKeyError(f"cannot read {KEY_FILE_ENV}={path}: {error}") from None
    raise SigningKeyError(
        f"no signing key: set {KEY_ENV} or {KEY_FILE_ENV} (create one with "
        "`yanshen audit keygen --out KEY.pem`)"
    )


def public_key_b64(key: Ed25519PrivateKey) -> str:
    """The public key as base64 of its raw 32 bytes."""
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def key_id(public_b64: str) -> str:
    """A short fingerprint of a public key: the first 16 hex digits of its sha256."""
    return hashlib.sha256(base64.b64decode(public_b64)).hexdigest()[:16]


def generate_key_file(path: Path) -> str:
    """Write a new private key to ``path`` (PEM, 0600) and ``path.pub``; return the public key.

    Refuses to overwrite an existing file.
    """
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    public = public_key_b64(key)
    Path(f"{path}.pub").write_text(public + "\n", encoding="ascii")
    return public
