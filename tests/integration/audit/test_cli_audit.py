"""``yanshen audit …`` and ``yanshen replay`` end to end on the test database."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from deploy.cli import app
from services.audit import list_access_log
from services.catalog import CatalogService

runner = CliRunner()
AUDIT = [
    "history",
    "as-of",
    "diff",
    "export",
    "verify",
    "keygen",
    "publish-heads",
    "check-heads",
    "access-log",
]


@pytest.fixture
def env(monkeypatch, database_url):
    monkeypatch.setenv("DATABASE_URL", database_url)


@pytest.mark.parametrize("command", [["audit", c] for c in AUDIT] + [["replay"]])
def test_every_audit_command_has_help(command):
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_keygen_export_verify_and_a_tampered_bundle(env, seeded, tmp_path, monkeypatch):
    key = tmp_path / "platform.pem"
    made = runner.invoke(app, ["audit", "keygen", "--out", str(key)])
    assert made.exit_code == 0, made.output
    assert oct(key.stat().st_mode & 0o777) == "0o600"
    assert runner.invoke(app, ["audit", "keygen", "--out", str(key)]).exit_code == 2

    monkeypatch.setenv("YANSHEN_AUDIT_SIGNING_KEY_FILE", str(key))
    bundle = tmp_path / "bundle"
    exported = runner.invoke(
        app,
        [
            "audit",
            "export",
            "--tenant",
            seeded,
            "--out",
            str(bundle),
            "--reason",
            "季度审计",
            "--actor",
            "au-9",
        ],
    )
    assert exported.exit_code == 0, exported.output
    assert "12 events" in exported.output
    pub = f"{key}.pub"
    ok = runner.invoke(app, ["audit", "verify", str(bundle), "--public-key", pub])
    assert ok.exit_code == 0, ok.output
    assert "OK" in ok.output

    lines = (bundle / "events.jsonl").read_text().splitlines(keepends=True)
    (bundle / "events.jsonl").write_text("".join(lines[:6] + lines[7:]))
    broken = runner.invoke(app, ["audit", "verify", str(bundle), "--public-key", pub])
    assert broken.exit_code == 1
    assert "line 7, position 7: removed" in broken.output


def test_export_needs_a_key_and_a_reason(env, seeded, tmp_path, monkeypatch):
    monkeypatch.delenv("YANSHEN_AUDIT_SIGNING_KEY", raising=False)
    monkeypatch.delenv("YANSHEN_AUDIT_SIGNING_KEY_FILE", raising=False)
    no_reason = runner.invoke(app, ["audit", "export", "--tenant", seeded, "--out", "x"])
    assert no_reason.exit_code == 2
    no_key = runner.invoke(
        app, ["audit", "export", "--tenant", seeded, "--out", str(tmp_path / "b"), "--reason", "r"]
    )
    assert no_key.exit_code == 2
    assert "YANSHEN_AUDIT_SIGNING_KEY" in no_key.output


def test_history_as_of_and_diff_print_json_and_are_logged(env, platform, seeded):
    page = runner.invoke(
        app, ["audit", "history", "--tenant", seeded, "--reason", "抽查", "--first", "3"]
    )
    assert page.exit_code == 0, page.output
    assert json.loads(page.stdout)["next_after"] == 3
    rx = str(platform.hall_app(CatalogService, seeded).get_item("RX-001").id)
    state = runner.invoke(
        app, ["audit", "as-of", "--tenant", seeded, "--record", rx, "--at", "9", "--reason", "抽查"]
    )
    assert state.exit_code == 0, state.output
    assert json.loads(state.stdout)["state"]["name"] == "免费热线咨询"
    changes = runner.invoke(
        app,
        [
            "audit",
            "diff",
            "--tenant",
            seeded,
            "--record",
            rx,
            "--from",
            "9",
            "--to",
            "10",
            "--reason",
            "抽查",
            "--json",
        ],
    )
    assert changes.exit_code == 0, changes.output
    name = next(c for c in json.loads(changes.stdout) if c["field"] == "name")
    assert name["after"] == "免费热线咨询（12345）"
    assert [e.action for e in list_access_log(platform.app_pool, seeded)] == [
        "DIFF",
        "AS_OF",
        "HISTORY",
    ]
    assert list_access_log(platform.app_pool, seeded)[0].actor.startswith("cli:")
    missing = runner.invoke(
        app, ["audit", "as-of", "--tenant", seeded, "--record", rx, "--at", "1", "--reason", "r"]
    )
    assert missing.exit_code == 1
    assert "did not exist" in missing.output


def test_replay_reports_identical_read_models(env, seeded, project):
    project()
    table = runner.invoke(app, ["replay", "--tenant", seeded, "--reason", "年度核对"])
    assert table.exit_code == 0, table.output
    assert "events/s" in table.output
    result = runner.invoke(app, ["replay", "--tenant", seeded, "--reason", "年度核对", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["identical"]
    assert "catalog_items" in {t["table"] for t in report["tables"]}


def test_publish_and_check_heads(env, seeded, tmp_path):
    prom = tmp_path / "heads.prom"
    published = runner.invoke(
        app, ["audit", "publish-heads", "--tenant", seeded, "--textfile", str(prom)]
    )
    assert published.exit_code == 0, published.output
    assert f"{seeded} 11 " in published.stdout
    checked = runner.invoke(app, ["audit", "check-heads", "--textfile", str(prom)])
    assert checked.exit_code == 0, checked.output
    forged = runner.invoke(
        app,
        ["audit", "check-heads", "--tenant", seeded, "--position", "11", "--hash", "ab" * 32],
    )
    assert forged.exit_code == 1
    assert "MISMATCH" in forged.output
