"""Offline verifier of Yanshen audit export bundles — stdlib and ``cryptography`` only.

Copy this one file anywhere and run ``python verifier.py BUNDLE --public-key KEY.pub``; no
database and no other Yanshen code is needed. A bundle is a directory of four files:

``manifest.json``
    ``format`` (``yanshen-audit-bundle/2``; ``/1`` bundles are still read), the hall, the
    exported positions ``from_position`` … ``to_position``, ``count``, the hash before the
    first event (``prev_hash``) and of the last one (``head_hash``), the hall's head at export
    time, who exported it and why, the sha256 of the other files, the signer's Ed25519 key.
``manifest.sig``
    base64 of the Ed25519 signature over the exact bytes of ``manifest.json``.
``events.jsonl``
    One event per line, in position order: ``position``, ``originator_id``,
    ``originator_version``, ``topic``, ``recorded_at`` (UTC, ``…T…:…:….ffffffZ``),
    ``chain_format``, ``prev_hash``, ``hash`` (hex) and the stored ``state`` (UTF-8 text, or
    ``state_b64``). Personal fields in ``state`` are sealed; the export carries no keys.
``chain.txt``
    One line per event: ``<position> <hash> <sha256 of the events.jsonl line>``.

The checks: the signature (against the pinned public key); every line's hash is
``sha256(prev_hash ‖ canonical bytes)`` (see :func:`canonical_bytes`, the same bytes the
database hashes; chain format 2 covers ``recorded_at`` too, format 1 — events appended before
it existed — does not); every line links to the previous line's hash; positions run without
gaps in order; each line matches its signed digest in ``chain.txt``; count and end hashes
match the manifest. Each problem is reported with its line and position.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import json
import struct
import sys
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
    """The bytes each chain link hashes: length-prefixed UTF-8 texts, big-endian integers.

    ``len(tenant) tenant | position (int8) | len(originator) originator | version (int8) |
    len(topic) topic | len(state) state``, lengths as int4; chain format 2 appends
    ``len(recorded_at) recorded_at`` (the line's UTC text, as given).
    """
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
        where = []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.position is not None:
            where.append(f"position {self.position}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


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
            return (
                f"OK: hall {self.tenant_id}, {self.events} events, head {self.head_hash}, "
                f"signed with {pinned}"
            )
        return "BROKEN:\n" + "\n".join(f"  {p}" for p in self.problems)


def _public_key(text: str) -> bytes:
    """A public key file's content: base64 of the raw 32-byte key (``KEY.pem.pub``)."""
    return base64.b64decode(text.strip(), validate=True)


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
        signature = base64.b64decode((bundle / "manifest.sig").read_text().strip(), validate=True)
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
        self.tenant = str(manifest["tenant_id"])
        self.expected = int(manifest["from_position"])
        self.prev = str(manifest["prev_hash"])
        self.hashes = {self.expected - 1: self.prev}
        """Hash of each position seen (the link of a line is checked by position)."""
        self.report = report
        self.missing: dict[int, int] = {}
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
            state = (
                rec["state"].encode("utf-8")
                if "state" in rec
                else base64.b64decode(rec["state_b64"])
            )
            chain_format = int(rec.get("chain_format", 1))
            if chain_format not in (1, 2):
                raise ValueError(chain_format)
            fields = (str(rec["originator_id"]), int(rec["originator_version"]), str(rec["topic"]))
            at = str(rec["recorded_at"]) if chain_format == 2 else None  # format 2 binds it
            canonical = canonical_bytes(self.tenant, position, *fields, state, at)
            prev_hash, stored = str(rec["prev_hash"]), str(rec["hash"])
            computed = hashlib.sha256(bytes.fromhex(prev_hash) + canonical).hexdigest()
        except (ValueError, KeyError, TypeError, binascii.Error):
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
        elif position in self.missing:
            where = self.missing.pop(position)
            self.problem(
                f"out of order: position {position} belongs on line {where}", number, position
            )
        else:
            self.problem("duplicate or out of order position", number, position)
        return False

    def finish(self) -> None:
        for position, number in sorted(self.missing.items()):
            self.problem(f"removed: position {position} is missing", number, position)
        self.report.problems.sort(key=lambda p: (p.line is None, p.line or 0, p.position or 0))


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_bundle(bundle: Path | str, public_key: bytes | str | None = None) -> BundleReport:
    """Check a bundle directory; pin the signer with ``public_key`` (raw bytes or base64)."""
    bundle = Path(bundle)
    report = BundleReport()
    try:
        manifest_bytes = (bundle / "manifest.json").read_bytes()
        manifest = json.loads(manifest_bytes)
        if manifest.get("format") not in _READABLE:
            raise ValueError(manifest.get("format"))
    except (OSError, ValueError) as error:
        report.problems.append(Problem(f"no readable {FORMAT} manifest.json ({error})"))
        return report
    pinned = _public_key(public_key) if isinstance(public_key, str) else public_key
    _check_signature(bundle, manifest_bytes, manifest, pinned, report)
    report.tenant_id = str(manifest["tenant_id"])
    if not all((bundle / name).is_file() for name in FILES):
        report.problems.append(Problem(f"the bundle lacks {' or '.join(FILES)}"))
        return report
    if _digest(bundle / "chain.txt") != manifest["files"]["chain.txt"]:
        report.problems.append(Problem("chain.txt differs from the signed manifest"))
    signed: dict[int, tuple[str, str]] = {}
    with (bundle / "chain.txt").open() as chain:
        for entry in chain:
            position, _, rest = entry.strip().partition(" ")
            link, _, line_digest = rest.partition(" ")
            if position.isdigit():
                signed[int(position)] = (link, line_digest)
    walk, digest = _Walk(manifest, report), hashlib.sha256()
    with (bundle / "events.jsonl").open("rb") as events:
        for number, raw in enumerate(events, start=1):
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
    key = args.public_key.read_text() if args.public_key else None
    report = verify_bundle(args.bundle, key)
    print(report)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
