"""Signed export bundles, verified offline: intact, altered, removed and reordered lines."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil

import psycopg
import pytest

from services.audit import AuditError, AuditReader
from services.audit.export import export_bundle
from services.audit.signing import generate_key_file, parse_private_key
from services.audit.verifier import verify_bundle
from services.privacy import PrivacyService
from services.store import EventStore, open_pool


@pytest.fixture
def key_pair(tmp_path):
    public = generate_key_file(tmp_path / "platform.pem")
    return parse_private_key((tmp_path / "platform.pem").read_bytes()), public


@pytest.fixture
def bundle(reader, seeded, auditor, key_pair, tmp_path):
    key, _ = key_pair
    result = export_bundle(reader, seeded, tmp_path / "bundle", key, auditor)
    assert (result.count, result.from_position, result.to_position) == (12, 1, 12)
    return result.path


def _lines(path):
    return (path / "events.jsonl").read_bytes().splitlines(keepends=True)


def _tampered(bundle, tmp_path, change):
    copy = tmp_path / "tampered"
    shutil.copytree(bundle, copy)
    lines = _lines(copy)
    (copy / "events.jsonl").write_bytes(b"".join(change(lines)))
    return copy


def test_an_export_verifies_offline_with_the_pinned_key(bundle, key_pair):
    report = verify_bundle(bundle, key_pair[1])
    assert report.ok, report
    assert report.events == 12
    assert report.key_pinned
    manifest = json.loads((bundle / "manifest.json").read_text())
    assert manifest["access_position"] == 12  # the export recorded itself before reading
    assert json.loads(_lines(bundle)[11])["topic"].endswith("AuditAccess.Recorded")
    assert manifest["head_hash"] == manifest["hall_head"]["hash"]


def test_an_altered_line_is_reported_with_its_position(bundle, key_pair, tmp_path):
    at = next(i for i, line in enumerate(_lines(bundle)) if "帮办代办".encode() in line)

    def alter(lines):
        lines[at] = lines[at].replace("帮办代办".encode(), "帮办代理".encode(), 1)
        return lines

    report = verify_bundle(_tampered(bundle, tmp_path, alter), key_pair[1])
    assert not report.ok
    first = report.problems[0]
    assert (first.line, first.position) == (at + 1, at + 1)
    assert "altered" in first.message


def test_a_removed_line_is_reported_with_its_position(bundle, key_pair, tmp_path):
    report = verify_bundle(_tampered(bundle, tmp_path, lambda ls: ls[:4] + ls[5:]), key_pair[1])
    assert not report.ok
    assert (report.problems[0].position, report.problems[0].line) == (5, 5)
    assert "removed" in report.problems[0].message


def test_reordered_lines_are_reported_with_their_positions(bundle, key_pair, tmp_path):
    def swap(lines):
        lines[5], lines[6] = lines[6], lines[5]
        return lines

    report = verify_bundle(_tampered(bundle, tmp_path, swap), key_pair[1])
    assert not report.ok
    messages = [str(p) for p in report.problems]
    assert any("position 6" in m and "out of order" in m for m in messages), messages


def test_a_change_outside_the_hashed_content_is_found_by_the_signed_chain(
    bundle, key_pair, tmp_path
):
    def retime(lines):
        record = json.loads(lines[7])
        record["recorded_at"] = "2020-01-01T00:00:00+00:00"
        lines[7] = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
        return lines

    report = verify_bundle(_tampered(bundle, tmp_path, retime), key_pair[1])
    assert [(p.line, p.position) for p in report.problems if p.line] == [(8, 8)]


def test_a_rewritten_chain_inside_the_bundle_does_not_match_the_signed_manifest(
    bundle, key_pair, tmp_path
):
    copy = tmp_path / "forged"
    shutil.copytree(bundle, copy)
    (copy / "chain.txt").write_text("forged\n")
    report = verify_bundle(copy, key_pair[1])
    assert any("chain.txt differs" in str(p) for p in report.problems)


def test_another_key_or_an_altered_manifest_is_refused(bundle, key_pair, tmp_path):
    other = generate_key_file(tmp_path / "other.pem")
    assert not verify_bundle(bundle, other).ok
    copy = tmp_path / "manifest"
    shutil.copytree(bundle, copy)
    manifest = (copy / "manifest.json").read_text().replace('"count": 12', '"count": 11')
    (copy / "manifest.json").write_text(manifest)
    report = verify_bundle(copy, key_pair[1])
    assert any("signature" in str(p) for p in report.problems)


def test_a_range_export_starts_from_the_previous_hash(reader, seeded, auditor, key_pair, tmp_path):
    result = export_bundle(
        reader, seeded, tmp_path / "part", key_pair[0], auditor, from_position=4, to_position=9
    )
    assert (result.count, result.from_position, result.to_position) == (6, 4, 9)
    assert verify_bundle(result.path, key_pair[1]).ok
    with pytest.raises(AuditError, match="exists"):
        export_bundle(reader, seeded, tmp_path / "part", key_pair[0], auditor)
    with pytest.raises(AuditError, match="no events"):
        export_bundle(reader, seeded, tmp_path / "none", key_pair[0], auditor, from_position=90)


def test_exports_never_hold_personal_plaintext_and_still_verify_after_erasure(
    platform, reader, seeded, auditor, key_pair, tmp_path
):
    before = export_bundle(reader, seeded, tmp_path / "before", key_pair[0], auditor)
    text = (before.path / "events.jsonl").read_text()
    assert "王芳" not in text
    assert "_sealed_" in text
    onboarded = [json.loads(line) for line in text.splitlines() if "Onboarded" in line]
    wang = onboarded[0]["originator_id"]
    platform.hall_app(PrivacyService, seeded).erase_personal_data(
        f"record:{wang}", "离职人员请求删除", "admin-1"
    )
    after = export_bundle(reader, seeded, tmp_path / "after", key_pair[0], auditor)
    assert verify_bundle(before.path, key_pair[1]).ok
    assert verify_bundle(after.path, key_pair[1]).ok
    assert "王芳" not in (after.path / "events.jsonl").read_text()


def test_the_same_positions_export_to_the_same_bytes_in_any_session_time_zone(
    reader, seeded, auditor, key_pair, tmp_path, database_url, monkeypatch
):
    key = key_pair[0]
    a = export_bundle(reader, seeded, tmp_path / "a", key, auditor, from_position=1, to_position=11)
    monkeypatch.setenv("PGTZ", "Asia/Shanghai")  # an operator's shell, another server
    pool = open_pool(database_url, "app", min_size=1, max_size=2)
    try:
        with pool.connection() as conn:
            assert conn.execute("SHOW TimeZone").fetchone() == ("Asia/Shanghai",)
        other = AuditReader(EventStore(pool))
        b = export_bundle(
            other, seeded, tmp_path / "b", key, auditor, from_position=1, to_position=11
        )
    finally:
        pool.close()
    for name in ("events.jsonl", "chain.txt"):
        assert (a.path / name).read_bytes() == (b.path / name).read_bytes()
    first = json.loads(_lines(a.path)[0])
    assert first["recorded_at"].endswith("Z")
    assert first["chain_format"] == 2


def test_a_recorded_at_changed_in_the_database_fails_bundle_verification(
    reader, seeded, auditor, key_pair, tmp_path, database_url
):
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(
            "UPDATE events SET recorded_at = recorded_at - interval '365 days'"
            " WHERE tenant_id = %s AND position = 10",
            (seeded,),
        )
    result = export_bundle(reader, seeded, tmp_path / "backdated", key_pair[0], auditor)
    report = verify_bundle(result.path, key_pair[1])
    assert [(p.line, p.position) for p in report.problems] == [(10, 10)]
    assert "altered" in report.problems[0].message


def test_an_edited_recorded_at_fails_even_in_a_bundle_signed_again(bundle, key_pair, tmp_path):
    """Whoever holds the signing key can re-sign a bundle; the chain still binds the times."""
    copy = tmp_path / "resigned"
    shutil.copytree(bundle, copy)
    lines = _lines(copy)
    record = json.loads(lines[9])
    record["recorded_at"] = "2025-01-01T00:00:00.000000Z"
    lines[9] = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
    (copy / "events.jsonl").write_bytes(b"".join(lines))
    links = []
    for line in lines:
        event, digest = json.loads(line), hashlib.sha256(line.rstrip(b"\n")).hexdigest()
        links.append(f"{event['position']} {event['hash']} {digest}\n")
    (copy / "chain.txt").write_text("".join(links))
    manifest = json.loads((copy / "manifest.json").read_text())
    for name in ("events.jsonl", "chain.txt"):
        manifest["files"][name] = hashlib.sha256((copy / name).read_bytes()).hexdigest()
    data = json.dumps(manifest, ensure_ascii=False, indent=2).encode() + b"\n"
    (copy / "manifest.json").write_bytes(data)
    (copy / "manifest.sig").write_text(base64.b64encode(key_pair[0].sign(data)).decode())
    report = verify_bundle(copy, key_pair[1])
    assert [(p.line, p.position) for p in report.problems] == [(10, 10)]
    assert "altered" in report.problems[0].message
