"""The verifier stays standalone and hashes exactly what the event store hashes."""

from __future__ import annotations

import ast
import base64
import hashlib
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from hypothesis import given
from hypothesis import strategies as st

from services.audit import verifier
from services.store.chain import (
    GENESIS_HASH,
    chain_bytes,
    event_bytes,
    next_hash,
    recorded_at_text,
)

ALLOWED = {"cryptography", "__future__"}
SHANGHAI, ST_JOHNS = ZoneInfo("Asia/Shanghai"), ZoneInfo("America/St_Johns")


def test_the_verifier_imports_only_the_standard_library_and_cryptography():
    tree = ast.parse(Path(verifier.__file__).read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    outside = {m for m in imported - ALLOWED if m not in sys.stdlib_module_names}
    assert outside == set()


def test_the_verifier_is_small():
    assert len(Path(verifier.__file__).read_text().splitlines()) < 320


@given(
    st.text(min_size=1, max_size=20),
    st.integers(min_value=1, max_value=2**62),
    st.text(max_size=40),
    st.integers(min_value=1, max_value=2**62),
    st.text(max_size=60),
    st.binary(max_size=200),
)
def test_canonical_bytes_match_the_event_store(tenant, position, originator, version, topic, state):
    assert verifier.canonical_bytes(
        tenant, position, originator, version, topic, state
    ) == event_bytes(tenant, position, originator, version, topic, state)


@given(
    st.text(min_size=1, max_size=20),
    st.integers(min_value=1, max_value=2**62),
    st.text(max_size=40),
    st.binary(max_size=200),
    st.datetimes(
        min_value=datetime(1000, 1, 1), timezones=st.sampled_from([UTC, SHANGHAI, ST_JOHNS])
    ),
)
def test_format_2_bytes_match_the_event_store(tenant, position, topic, state, at):
    text = recorded_at_text(at)
    assert text == recorded_at_text(at.astimezone(UTC))
    assert verifier.canonical_bytes(tenant, position, "o", 1, topic, state, text) == chain_bytes(
        2, tenant, position, "o", 1, topic, state, at
    )


def test_recorded_at_text_is_utc_with_microseconds():
    assert recorded_at_text(datetime(2026, 5, 6, 10, tzinfo=SHANGHAI)) == (
        "2026-05-06T02:00:00.000000Z"
    )
    with pytest.raises(ValueError, match="timezone"):
        recorded_at_text(datetime(2026, 5, 6, 10))


_AT = datetime(2026, 5, 6, 2, 0, tzinfo=UTC)


def _bundle(tmp_path, formats, edit=None, bundle_format=verifier.FORMAT):
    """A signed bundle of hall ``h`` with one event per format; ``edit(i, record)`` before
    signing (as whoever holds the signing key could)."""
    key, prev, lines = Ed25519PrivateKey.generate(), GENESIS_HASH, []
    for i, fmt in enumerate(formats, start=1):
        at = _AT + timedelta(minutes=i)
        digest = next_hash(prev, chain_bytes(fmt, "h", i, f"o{i}", 1, "t", b"{}", at))
        record = {"position": i, "originator_id": f"o{i}", "originator_version": 1, "topic": "t"}
        record |= {"recorded_at": recorded_at_text(at), "chain_format": fmt}
        record |= {"prev_hash": prev.hex(), "hash": digest.hex(), "state": "{}"}
        if bundle_format != verifier.FORMAT:
            del record["chain_format"]
        if edit is not None:
            edit(i, record)
        lines.append(json.dumps(record, separators=(",", ":")).encode())
        prev = digest
    (tmp_path / "events.jsonl").write_bytes(b"".join(line + b"\n" for line in lines))
    (tmp_path / "chain.txt").write_text(
        "".join(
            f"{i} {json.loads(line)['hash']} {hashlib.sha256(line).hexdigest()}\n"
            for i, line in enumerate(lines, start=1)
        )
    )
    files = {n: hashlib.sha256((tmp_path / n).read_bytes()).hexdigest() for n in verifier.FILES}
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    manifest = {"format": bundle_format, "tenant_id": "h", "from_position": 1}
    manifest |= {"to_position": len(lines), "count": len(lines), "prev_hash": GENESIS_HASH.hex()}
    manifest |= {"head_hash": prev.hex(), "files": files}
    manifest["public_key"] = base64.b64encode(public).decode()
    data = json.dumps(manifest).encode()
    (tmp_path / "manifest.json").write_bytes(data)
    (tmp_path / "manifest.sig").write_text(base64.b64encode(key.sign(data)).decode())
    return verifier.verify_bundle(tmp_path, public)


def _backdate(position):
    def edit(i, record):
        if i == position:
            record["recorded_at"] = "2025-01-01T00:00:00.000000Z"

    return edit


def test_a_bundle_of_old_and_new_chain_formats_verifies(tmp_path):
    report = _bundle(tmp_path, [1, 1, 2, 2])
    assert report.ok, report
    assert report.events == 4


def test_a_bundle_of_format_1_still_verifies(tmp_path):
    assert _bundle(tmp_path, [1, 1], bundle_format="yanshen-audit-bundle/1").ok


def test_a_backdated_format_2_event_fails_although_the_bundle_was_signed_again(tmp_path):
    report = _bundle(tmp_path, [1, 2, 2], edit=_backdate(2))
    assert [(p.line, p.position) for p in report.problems] == [(2, 2)]
    assert "altered" in report.problems[0].message


def test_a_format_1_event_only_has_the_signature_for_its_recorded_at(tmp_path):
    """Events appended before chain format 2: their recorded_at was never hashed."""
    assert _bundle(tmp_path, [1, 2], edit=_backdate(1)).ok


def test_a_line_claiming_an_older_chain_format_is_reported(tmp_path):
    def downgrade(i, record):
        if i == 2:
            record["chain_format"] = 1

    report = _bundle(tmp_path, [2, 2], edit=downgrade)
    messages = [str(p) for p in report.problems]
    assert messages[0] == "line 2, position 2: chain format 1 after 2", messages
