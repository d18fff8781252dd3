"""Offline verifier of Yanshen audit export bundles — stdlib and ``cryptography`` only.

Copy this one file anywhere (Python 3.11+) and run ``python verifier.py BUNDLE --public-key
KEY.pub``; no database and no other Yanshen code is needed. A bundle is a directory of:

- ``manifest.json``: ``format`` (``yanshen-audit-bundle/2``; ``/1`` is still read), the log
  (``tenant_id``), ``from_position`` … ``to_position``, ``count``, the hash before the first
  event (``prev_hash``) and of the last (``head_hash``), the sha256 of the other ``files``,
  the signer's Ed25519 key, who exported it and why;
- ``manifest.sig``: base64 of the Ed25519 signature over the exact bytes of the manifest;
- ``events.jsonl``: one event per line in position order: ``position``, ``originator_id``,
  ``originator_version``, ``topic``, ``recorded_at`` (UTC, ``…T…:…:….ffffffZ``),
  ``chain_format``, ``prev_hash``, ``hash`` (hex), the stored ``state`` (UTF-8 text, or
  ``state_b64``; personal fields are sealed, the export carries no keys);
- ``chain.txt``: ``<position> <hash> <sha256 of the events.jsonl line>`` per event.

The checks (each problem reported with its line and position): the signature, against the
pinned key; each line's hash is ``sha256(prev_hash ‖ canonical bytes)`` (:func:`canonical_bytes`,
what the database hashes; chain format 2 covers ``recorded_at``, format 1 does not) and links
to the previous line's; positions run in order without gaps; each line matches its signed
digest in ``chain.txt``; count and end hashes match the manifest. Exit status 0: intact,
1: not (a file missing too), 2: a bad argument (no bundle directory, an unusable key file)
or a bundle file that is there but cannot be read (a directory, no permission, an I/O error).
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import json
import os
import struct
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

__all__ = ["FORMAT", "BundleReport", "Problem", "canonical_bytes", "main", "verify_bundle"]

FORMAT = "yanshen-audit-bundle/2"
_READABLE = (FORMAT, "yanshen-audit-bundle/1")  # /1: no chain_format (all lines format 1)
FILES = ("events.jsonl", "chain.txt")
_MAX_GAP = 1000
_FIELDS = {"tenant_id": str, "from_position": int, "to_position": int, "count": int}
_FIELDS |= {"prev_hash": str, "head_hash": str, "files": dict}


def _text(value: str) -> bytes:
    data = value.encode("utf-8")
    return struct.pack(">i", len(data)) + data


def canonical_bytes(
    tenant_id: str,
    position: int,
    originator_id: str,
    version: int,
    topic: str,
    state: bytes,
    recorded_at: str | None = None,
) -> bytes:
    """The bytes each chain link hashes: ``len(tenant) tenant | position | len(originator)
    originator | version | len(topic) topic | len(state) state``, then for chain format 2
    ``len(recorded_at) recorded_at`` (UTF-8; int4 lengths, int8 numbers, big-endian)."""
    head = _text(tenant_id) + struct.pack(">q", position) + _text(originator_id)
    body = struct.pack(">q", version) + _text(topic) + struct.pack(">i", len(state)) + state
    return head + body + (b"" if recorded_at is None else _text(recorded_at))


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a bundle; ``line`` is 1-based in ``events.jsonl``."""

    message: str
    line: int | None = None
    position: int | None = None

    def __str__(self) -> str:
        at = (("line", self.line), ("position", self.position))
        where = ", ".join(f"{name} {n}" for name, n in at if n is not None)
        return f"{where}: {self.message}" if where else self.message


@dataclass
class BundleReport:
    """The outcome of :func:`verify_bundle`."""

    tenant_id: str = ""
    events: int = 0
    head_hash: str = ""
    signer: str = ""
    """base64 public key that signed the manifest."""
    key_pinned: bool = False
    """True when the signature was checked against a key the auditor supplied."""
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def __str__(self) -> str:
        if self.ok:
            pinned = "pinned key" if self.key_pinned else "the bundle's own key (NOT pinned)"
            head = f"hall {self.tenant_id}, {self.events} events, head {self.head_hash}"
            return f"OK: {head}, signed with {pinned}"
        return "BROKEN:\n" + "\n".join(f"  {p}" for p in self.problems)


class UnreadableBundleError(Exception):
    """A file of the bundle is there but cannot be read: nothing is checked (exit 2)."""


def _lines(path: Path) -> Iterator[bytes]:
    """A bundle file's lines; one there but unreadable raises :class:`UnreadableBundleError`."""
    try:
        with path.open("rb") as file:
            yield from file
    except OSError as error:
        if os.path.lexists(path):  # else missing: the caller reports what the bundle lacks
            raise UnreadableBundleError(f"cannot read {path}: {error.strerror}") from None
        raise


def _public_key(key: bytes | str) -> bytes:
    """The pinned key: raw bytes, or a key file's content (base64 of them, ``KEY.pem.pub``)."""
    try:
        raw = base64.b64decode(key.strip(), validate=True) if isinstance(key, str) else key
    except binascii.Error:
        raw = b""
    if len(raw) != 32:
        raise ValueError("the public key is not base64 of a raw 32-byte Ed25519 key (KEY.pem.pub)")
    return raw


def _check_signature(
    bundle: Path,
    manifest_bytes: bytes,
    manifest: dict[str, Any],
    pinned: bytes | None,
    report: BundleReport,
) -> None:
    report.signer = str(manifest.get("public_key", ""))
    try:
        embedded = base64.b64decode(report.signer, validate=True)
        text = b"".join(_lines(bundle / "manifest.sig"))
        signature = base64.b64decode(text.strip(), validate=True)
    except (OSError, binascii.Error):
        report.problems.append(Problem("manifest.sig or the manifest's public key is unreadable"))
        return
    if pinned is not None and pinned != embedded:
        report.problems.append(Problem("the manifest names another signer than the pinned key"))
    report.key_pinned = pinned is not None
    try:
        Ed25519PublicKey.from_public_bytes(pinned or embedded).verify(signature, manifest_bytes)
    except (InvalidSignature, ValueError):
        report.problems.append(Problem("the manifest's signature is not valid (altered manifest)"))


class _Walk:
    """The line-by-line checks of ``events.jsonl`` against the chain and ``chain.txt``."""

    def __init__(self, manifest: dict[str, Any], report: BundleReport) -> None:
        self.tenant, self.prev = str(manifest["tenant_id"]), str(manifest["prev_hash"])
        self.expected = int(manifest["from_position"])
        self.hashes = {self.expected - 1: self.prev}
        """Hash of each position seen (the link of a line is checked by position)."""
        self.report, self.missing = report, dict[int, int]()
        self.lines, self.format = 0, 1

    def problem(self, message: str, line: int, position: int | None) -> None:
        self.report.problems.append(Problem(message, line, position))

    def line(self, number: int, raw: bytes, chain: dict[int, tuple[str, str]]) -> None:
        """Check one line against the chain and ``chain`` (``chain.txt``: position → (hash,
        line digest))."""
        self.lines = number
        try:
            rec = json.loads(raw)
            position = int(rec["position"])
            text = rec.get("state")
            state = base64.b64decode(rec["state_b64"]) if text is None else text.encode("utf-8")
            chain_format = int(rec.get("chain_format", 1))
            if chain_format not in (1, 2):
                raise ValueError(chain_format)
            fields = (str(rec["originator_id"]), int(rec["originator_version"]), str(rec["topic"]))
            at = str(rec["recorded_at"]) if chain_format == 2 else None  # format 2 binds it
            canonical = canonical_bytes(self.tenant, position, *fields, state, at)
            prev_hash, stored = str(rec["prev_hash"]), str(rec["hash"])
            computed = hashlib.sha256(bytes.fromhex(prev_hash) + canonical).hexdigest()
        except (ValueError, KeyError, TypeError, AttributeError, OverflowError, struct.error):
            self.problem("not a valid event line", number, None)
            return
        in_place = self._position(number, position)
        signed = chain.get(position)
        before = self.hashes.get(position - 1)
        self.hashes[position] = stored
        self.prev = stored
        if chain_format < self.format:  # appends only ever write the newest format
            self.problem(f"chain format {chain_format} after {self.format}", number, position)
        self.format = max(self.format, chain_format)
        if computed != stored:
            self.problem("altered: the event's content does not match its hash", number, position)
        elif not in_place:
            pass  # reported as removed or out of order
        elif before is not None and prev_hash != before:
            self.problem("does not link to the previous event's hash", number, position)
        elif signed is None or signed[0] != stored:
            self.problem("differs from the signed chain (chain.txt)", number, position)
        elif signed[1] != hashlib.sha256(raw).hexdigest():
            self.problem("altered outside the hashed content (e.g. recorded_at)", number, position)

    def _position(self, number: int, position: int) -> bool:
        if position == self.expected:
            self.expected += 1
            return True
        if position > self.expected:
            for p in range(self.expected, min(position, self.expected + _MAX_GAP)):
                self.missing[p] = number
            self.expected = position + 1
        elif (where := self.missing.pop(position, None)) is not None:
            message = f"out of order: position {position} belongs on line {where}"
            self.problem(message, number, position)
        else:
            self.problem("duplicate or out of order position", number, position)
        return False

    def finish(self) -> None:
        for position, number in sorted(self.missing.items()):
            self.problem(f"removed: position {position} is missing", number, position)
        self.report.problems.sort(key=lambda p: (p.line is None, p.line or 0, p.position or 0))


def _manifest(data: bytes) -> dict[str, Any]:
    """The manifest, its fields checked for their types (:class:`ValueError` otherwise)."""
    manifest = json.loads(data)
    if not isinstance(manifest, dict) or manifest.get("format") not in _READABLE:
        raise ValueError(f"format {manifest.get('format') if isinstance(manifest, dict) else ''}")
    wrong = [k for k, kind in _FIELDS.items() if type(manifest.get(k)) is not kind]
    if wrong or not all(isinstance(manifest["files"].get(n), str) for n in FILES):
        raise ValueError(f"{', '.join(wrong) or 'files'}: missing or of another type")
    return manifest


def verify_bundle(bundle: Path | str, public_key: bytes | str | None = None) -> BundleReport:
    """Check a bundle directory; pin the signer with ``public_key`` (raw bytes, or the text of
    a key file, base64). An unusable key raises :class:`ValueError` (nothing checked)."""
    bundle = Path(bundle)
    report = BundleReport()
    pinned = None if public_key is None else _public_key(public_key)
    try:
        manifest_bytes = b"".join(_lines(bundle / "manifest.json"))
        manifest = _manifest(manifest_bytes)
    except (OSError, ValueError, RecursionError) as error:
        report.problems.append(Problem(f"no readable {FORMAT} manifest.json ({error})"))
        return report
    _check_signature(bundle, manifest_bytes, manifest, pinned, report)
    report.tenant_id = str(manifest["tenant_id"])
    if lacking := [name for name in FILES if not os.path.lexists(bundle / name)]:
        report.problems.append(Problem(f"the bundle lacks {' and '.join(lacking)}"))
        return report
    signed: dict[int, tuple[str, str]] = {}
    digest = hashlib.sha256()
    for entry in _lines(bundle / "chain.txt"):
        digest.update(entry)
        position, _, rest = entry.decode("utf-8", errors="replace").strip().partition(" ")
        link, _, line_digest = rest.partition(" ")
        if position.isdigit():
            signed[int(position)] = (link, line_digest)
    if digest.hexdigest() != manifest["files"]["chain.txt"]:
        report.problems.append(Problem("chain.txt differs from the signed manifest"))
    walk, digest = _Walk(manifest, report), hashlib.sha256()
    for number, raw in enumerate(_lines(bundle / "events.jsonl"), start=1):
        digest.update(raw)
        walk.line(number, raw.rstrip(b"\n"), signed)
    if digest.hexdigest() != manifest["files"]["events.jsonl"]:
        report.problems.insert(0, Problem("events.jsonl differs from the signed manifest"))
    walk.finish()
    report.events = walk.lines
    report.head_hash = walk.hashes.get(int(manifest["to_position"]), walk.prev)
    if walk.lines != int(manifest["count"]):
        report.problems.append(
            Problem(f"{walk.lines} lines, but the manifest says {manifest['count']} events")
        )
    if report.head_hash != manifest["head_hash"]:
        report.problems.append(Problem("the last line's hash is not the manifest's head hash"))
    return report


def main(argv: list[str] | None = None) -> int:
    """``python -m services.audit.verifier BUNDLE [--public-key FILE]``: exit 0 when intact."""
    parser = argparse.ArgumentParser(description="Verify a Yanshen audit export bundle.")
    parser.add_argument("bundle", type=Path)
    parser.add_argument("--public-key", type=Path, help="the platform's public key file (pin)")
    args = parser.parse_args(argv)
    if not args.bundle.is_dir():
        parser.error(f"{args.bundle} is not a bundle directory")
    try:
        key = _public_key(args.public_key.read_text()) if args.public_key else None
        report = verify_bundle(args.bundle, key)
    except (OSError, ValueError) as error:  # a UnicodeDecodeError is a ValueError
        parser.error(f"--public-key {args.public_key}: {error}")
    except UnreadableBundleError as error:  # nothing checked: not a broken bundle
        parser.error(str(error))
    print(report)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
