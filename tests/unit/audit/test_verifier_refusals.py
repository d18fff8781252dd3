"""Whatever an auditor hands the verifier — a damaged bundle, a wrong key file, a wrong path —
it answers with a report or a one-line refusal (exit 1: broken, exit 2: bad argument), never
with a traceback."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from typer.testing import CliRunner

from deploy.cli import app
from services.audit import verifier
from tests.unit.audit.test_verifier_module import _bundle

runner = CliRunner()
VERIFIER = Path(verifier.__file__)


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    path = tmp_path / "bundle"
    path.mkdir()
    assert _bundle(path, [2, 2, 2]).ok
    return path


def _edit_manifest(bundle: Path, change) -> None:
    manifest = json.loads((bundle / "manifest.json").read_bytes())
    (bundle / "manifest.json").write_text(json.dumps(change(manifest)))


@pytest.mark.parametrize(
    "change",
    [
        lambda m: [m],
        lambda m: "a text",
        lambda m: {k: v for k, v in m.items() if k != "files"},
        lambda m: m | {"files": {"events.jsonl": m["files"]["events.jsonl"]}},
        lambda m: m | {"files": ["events.jsonl", "chain.txt"]},
        lambda m: m | {"from_position": "x"},
        lambda m: m | {"count": None},
        lambda m: m | {"to_position": True},
        lambda m: {k: v for k, v in m.items() if k != "tenant_id"},
        lambda m: m | {"prev_hash": 7},
    ],
    ids=[
        "a list",
        "a text",
        "no files",
        "no chain.txt digest",
        "files a list",
        "from_position a text",
        "count null",
        "to_position a boolean",
        "no tenant_id",
        "prev_hash a number",
    ],
)
def test_a_manifest_of_another_shape_is_reported_not_raised(bundle, change):
    _edit_manifest(bundle, change)
    report = verifier.verify_bundle(bundle)
    assert not report.ok
    assert "manifest.json" in str(report.problems[0]), report


def test_a_chain_txt_that_is_not_text_is_reported(bundle):
    with (bundle / "chain.txt").open("ab") as chain:
        chain.write(b"\xff\xfe 4 garbage\n")
    report = verifier.verify_bundle(bundle)
    assert [str(p) for p in report.problems] == ["chain.txt differs from the signed manifest"]


@pytest.mark.parametrize(
    "edit",
    [
        {"state": 5},
        {"state": None},
        {"position": 2**70},
        {"originator_version": -(2**70)},
        {"position": 1e400},
    ],
    ids=["state a number", "state null", "huge position", "huge version", "infinite position"],
)
def test_an_event_line_of_another_shape_is_reported_with_its_line(bundle, edit):
    lines = (bundle / "events.jsonl").read_bytes().splitlines(keepends=True)
    record = json.loads(lines[1]) | edit
    lines[1] = json.dumps(record).replace("Infinity", "1e400").encode() + b"\n"
    (bundle / "events.jsonl").write_bytes(b"".join(lines))
    report = verifier.verify_bundle(bundle)
    assert "line 2: not a valid event line" in [str(p) for p in report.problems], report


def _private_pem() -> str:
    key = Ed25519PrivateKey.generate()
    return key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()


BAD_KEYS = {
    "not base64": "garbage!!\n",
    "too short": base64.b64encode(b"\x01" * 3).decode() + "\n",
    "a private key": _private_pem(),
    "empty": "",
}


@pytest.mark.parametrize("text", BAD_KEYS.values(), ids=BAD_KEYS.keys())
def test_an_unusable_pinned_key_is_a_bad_argument_not_a_broken_bundle(bundle, tmp_path, text):
    key = tmp_path / "platform.pub"
    key.write_text(text)
    with pytest.raises(ValueError, match="public key"):
        verifier.verify_bundle(bundle, text)

    standalone = subprocess.run(
        [sys.executable, str(VERIFIER), str(bundle), "--public-key", str(key)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert standalone.returncode == 2, standalone.stderr
    assert "public key" in standalone.stderr
    assert "Traceback" not in standalone.stderr

    result = runner.invoke(app, ["audit", "verify", str(bundle), "--public-key", str(key)])
    assert result.exit_code == 2, (result.output, result.exception)
    assert "public key" in result.output
    assert result.exception.__class__ is SystemExit


@pytest.mark.parametrize("where", ["missing", "a file"])
def test_a_bundle_path_that_is_no_directory_is_a_bad_argument(tmp_path, where):
    path = tmp_path / "bundle"
    if where == "a file":
        path.write_text("{}")
    standalone = subprocess.run(
        [sys.executable, str(VERIFIER), str(path)], capture_output=True, text=True, check=False
    )
    assert standalone.returncode == 2, standalone.stderr
    assert "Traceback" not in standalone.stderr
    assert str(path) in standalone.stderr

    result = runner.invoke(app, ["audit", "verify", str(path)])
    assert result.exit_code == 2, result.output


def test_a_missing_key_file_is_a_bad_argument_of_the_standalone_verifier(bundle, tmp_path):
    missing = tmp_path / "nowhere.pub"
    standalone = subprocess.run(
        [sys.executable, str(VERIFIER), str(bundle), "--public-key", str(missing)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert standalone.returncode == 2, standalone.stderr
    assert "Traceback" not in standalone.stderr
    assert str(missing) in standalone.stderr


def _unreadable(path: Path, how: str) -> None:
    """Put something unreadable where the bundle file ``path`` was (as root, which reads any
    file whatever its permissions: a directory, a link to nothing, a file failing with EIO)."""
    path.unlink()
    if how == "a directory":
        path.mkdir()
    elif how == "a link to nothing":
        path.symlink_to(path.parent / "nowhere")
    else:
        path.symlink_to("/proc/self/mem")  # a regular file whose reading fails (EIO)


@pytest.mark.parametrize("how", ["a directory", "a link to nothing", "an I/O error"])
@pytest.mark.parametrize("name", ["events.jsonl", "chain.txt", "manifest.json", "manifest.sig"])
def test_a_bundle_file_that_cannot_be_read_is_a_bad_argument_not_a_traceback(bundle, name, how):
    _unreadable(bundle / name, how)
    with pytest.raises(verifier.UnreadableBundleError, match=f"cannot read .*{name}"):
        verifier.verify_bundle(bundle)

    standalone = subprocess.run(
        [sys.executable, str(VERIFIER), str(bundle)], capture_output=True, text=True, check=False
    )
    assert standalone.returncode == 2, standalone.stderr
    assert "Traceback" not in standalone.stderr
    assert f"cannot read {bundle / name}: " in standalone.stderr

    result = runner.invoke(app, ["audit", "verify", str(bundle)])
    assert result.exit_code == 2, (result.output, result.exception)
    assert "cannot read" in result.output
    assert result.exception.__class__ is SystemExit


@pytest.mark.parametrize("name", ["events.jsonl", "chain.txt"])
def test_a_bundle_file_that_is_missing_is_reported_as_broken(bundle, name):
    (bundle / name).unlink()
    report = verifier.verify_bundle(bundle)
    assert [str(p) for p in report.problems] == [f"the bundle lacks {name}"]
    result = runner.invoke(app, ["audit", "verify", str(bundle)])
    assert result.exit_code == 1, result.output
