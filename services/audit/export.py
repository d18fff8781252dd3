"""Signed export bundles of a hall's log (``yanshen audit export``); format in the verifier.

The export reads one consistent snapshot of the hall (repeatable read) through a server-side
cursor, writes ``events.jsonl`` and ``chain.txt`` while hashing them, then the manifest and
its Ed25519 signature, into a temporary directory renamed into place at the end. The events
are the stored rows exactly as hashed: personal fields stay sealed (no keys are exported), so
erasing a subject later erases it in every bundle ever exported, too. Times are written in
canonical UTC text (SQL ``yanshen_recorded_at_text``, the text chain format 2 hashes), so the
same positions export to the same ``events.jsonl`` and ``chain.txt`` bytes whatever the
session's time zone.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.audit.application import Accessor
from services.audit.domain import AccessAction
from services.audit.errors import AuditError
from services.audit.reader import AuditReader
from services.audit.signing import key_id, public_key_b64
from services.audit.verifier import FORMAT
from services.shared.errors import ValidationError
from services.store.chain import recorded_at_text
from services.store.statements import SET_TENANT

__all__ = ["ExportResult", "export_bundle"]

Progress = Callable[[int, int], None]
"""``progress(done, total)``: events written so far of the range."""

_HEAD = "SELECT position, last_hash FROM tenant_heads WHERE tenant_id = %s"
_FIRST_AT = "SELECT min(position) FROM events WHERE tenant_id = %s AND recorded_at >= %s"
_LAST_BEFORE = "SELECT max(position) FROM events WHERE tenant_id = %s AND recorded_at < %s"
_PREV = "SELECT prev_hash FROM events WHERE tenant_id = %s AND position = %s"
_ROWS = (
    "SELECT position, originator_id, originator_version, topic,"
    " yanshen_recorded_at_text(recorded_at), chain_format,"
    " prev_hash, hash, state FROM events WHERE tenant_id = %s AND position BETWEEN %s AND %s"
    " ORDER BY position"
)
_BATCH = 5000


@dataclass(frozen=True)
class ExportResult:
    """What was exported."""

    path: Path
    tenant_id: str
    count: int
    from_position: int
    to_position: int
    head_hash: str
    access_position: int
    """Where the export itself was recorded in the hall's log (before it read anything)."""


def _utc_text(at: datetime | None) -> str | None:
    """A time of the manifest in the events' canonical UTC text (naive: as given)."""
    if at is None:
        return None
    return recorded_at_text(at) if at.tzinfo is not None else at.isoformat()


def _range(
    conn: Any,
    tenant_id: str,
    head: int,
    first: int | None,
    last: int | None,
    since: datetime | None,
    until: datetime | None,
) -> tuple[int, int]:
    lo, hi = max(first or 1, 1), min(last or head, head)
    if since is not None:
        row = conn.execute(_FIRST_AT, (tenant_id, since)).fetchone()
        lo = max(lo, row[0] if row and row[0] is not None else head + 1)
    if until is not None:
        row = conn.execute(_LAST_BEFORE, (tenant_id, until)).fetchone()
        hi = min(hi, row[0] if row and row[0] is not None else 0)
    return lo, hi


def _write_events(
    conn: Any,
    tenant_id: str,
    lo: int,
    hi: int,
    events: IO[bytes],
    chain: IO[bytes],
    progress: Progress | None,
) -> tuple[int, str, str, str]:
    """Write the lines; return (count, last hash, sha256 of events, sha256 of chain)."""
    events_digest, chain_digest = hashlib.sha256(), hashlib.sha256()
    count, last = 0, ""
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    with conn.cursor(name="yanshen_export") as cursor:
        cursor.itersize = _BATCH
        cursor.execute(_ROWS, (tenant_id, lo, hi))
        while rows := cursor.fetchmany(_BATCH):
            lines, links = [], []
            for row in rows:
                position, originator, version, topic, at, chain_format = row[:6]
                prev_hash, digest, state = row[6:]
                data, last = bytes(state), bytes(digest).hex()
                try:
                    body = '"state":' + dumps(data.decode("utf-8"))
                except UnicodeDecodeError:
                    body = '"state_b64":"' + base64.b64encode(data).decode() + '"'
                # The same line as json.dumps of these keys in this order (compact, UTF-8).
                line = (
                    f'{{"position":{position},"originator_id":{dumps(originator)},'
                    f'"originator_version":{version},"topic":{dumps(topic)},'
                    f'"recorded_at":"{at}","chain_format":{chain_format},'
                    f'"prev_hash":"{bytes(prev_hash).hex()}","hash":"{last}",{body}}}'
                ).encode()
                lines.append(line + b"\n")
                links.append(f"{position} {last} {hashlib.sha256(line).hexdigest()}\n".encode())
            block, chained = b"".join(lines), b"".join(links)
            events.write(block)
            chain.write(chained)
            events_digest.update(block)
            chain_digest.update(chained)
            count += len(rows)
            if progress is not None:
                progress(count, hi - lo + 1)
    if progress is not None:
        progress(count, hi - lo + 1)
    return count, last, events_digest.hexdigest(), chain_digest.hexdigest()


def export_bundle(
    reader: AuditReader,
    tenant_id: str,
    out: Path,
    key: Ed25519PrivateKey,
    accessor: Accessor,
    *,
    from_position: int | None = None,
    to_position: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    progress: Progress | None = None,
) -> ExportResult:
    """Export positions (or times) of ``tenant_id``'s log to the bundle directory ``out``.

    The export is recorded in the hall's access log first (so it is part of the bundle when
    the range reaches the head). ``out`` must not exist yet.
    """
    for name, position in (("from_position", from_position), ("to_position", to_position)):
        if position is not None and position < 1:
            raise ValidationError(f"{name} is a position of the log, 1 or more, not {position}")
    if out.exists():
        raise AuditError(f"{out} exists already; choose a new bundle path")
    scope = f"export positions {from_position or 1}-{to_position or 'head'}"
    if since or until:
        scope += f", recorded {since or '…'} to {until or '…'}"
    access = reader.record(tenant_id, accessor, AccessAction.EXPORT, scope)
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".bundle-", dir=out.parent))
    try:
        with reader.store.pool.connection() as conn, conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            conn.execute(SET_TENANT, (tenant_id,))
            head_row = conn.execute(_HEAD, (tenant_id,)).fetchone()
            head, head_hash = (int(head_row[0]), bytes(head_row[1]).hex()) if head_row else (0, "")
            lo, hi = _range(conn, tenant_id, head, from_position, to_position, since, until)
            if hi < lo:
                raise AuditError(f"no events of hall {tenant_id} in the range asked for")
            prev = conn.execute(_PREV, (tenant_id, lo)).fetchone()
            with (
                (work / "events.jsonl").open("wb") as events,
                (work / "chain.txt").open("wb") as chain,
            ):
                count, last, events_sha, chain_sha = _write_events(
                    conn, tenant_id, lo, hi, events, chain, progress
                )
        public = public_key_b64(key)
        manifest = {
            "format": FORMAT,
            "tenant_id": tenant_id,
            "from_position": lo,
            "to_position": hi,
            "count": count,
            "prev_hash": bytes(prev[0]).hex() if prev else "",
            "head_hash": last,
            "hall_head": {"position": head, "hash": head_hash},
            "range": {"since": _utc_text(since), "until": _utc_text(until)},
            "exported_at": recorded_at_text(datetime.now(UTC)),
            "exported_by": {"actor": accessor.actor, "role": accessor.role},
            "reason": accessor.reason,
            "access_position": access,
            "files": {"events.jsonl": events_sha, "chain.txt": chain_sha},
            "public_key": public,
            "key_id": key_id(public),
        }
        manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=2).encode() + b"\n"
        (work / "manifest.json").write_bytes(manifest_bytes)
        signature = base64.b64encode(key.sign(manifest_bytes)).decode()
        (work / "manifest.sig").write_text(signature + "\n", encoding="ascii")
        os.rename(work, out)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return ExportResult(out, tenant_id, count, lo, hi, last, access)
