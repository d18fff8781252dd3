"""Bad arguments to ``yanshen audit …`` exit 2 with a message, before anything is recorded.

A point is a position or an ISO time with its zone; an export's positions start at 1 (``--to
0`` is not "to the head"); a published head is complete or not given at all.
"""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from deploy.cli import app
from deploy.cli_audit import _MAX_PAGE
from services.audit import list_access_log
from services.audit.export import export_bundle
from services.audit.history import MAX_PAGE
from services.audit.signing import load_signing_key
from services.catalog import CatalogService
from services.shared.errors import ValidationError

runner = CliRunner()
NAIVE = "2026-05-06T10:00:00"


def _refused(args: list[str], *, says: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, (result.output, result.exception)
    assert _squashed(says) in _squashed(result.output), result.output


def _squashed(text: str) -> str:
    """``text`` without spaces and box edges: the error panel wraps lines (even in words)."""
    return re.sub(r"[\s│]", "", text)


@pytest.mark.parametrize(
    ("bounds", "says"),
    [
        (["--from", NAIVE], "time zone"),
        (["--to", NAIVE], "time zone"),
        (["--to", "0"], "positions start at 1"),
        (["--from", "0"], "positions start at 1"),
        (["--from", "5", "--to", "3"], "5 is after 3"),
        (["--from", "yesterday"], "neither a position nor an ISO time"),
    ],
)
def test_an_export_with_a_bad_range_exits_2_and_exports_nothing(
    signing_env, platform, seeded, tmp_path, bounds, says
):
    bundle = tmp_path / "bundle"
    args = ["audit", "export", "--tenant", seeded, "--out", str(bundle), "--reason", "审计"]
    _refused([*args, *bounds], says=says)
    assert not bundle.exists()
    assert list_access_log(platform.app_pool, seeded) == []


def test_an_export_of_a_range_exports_that_range(signing_env, seeded, tmp_path):
    bundle = tmp_path / "bundle"
    args = ["audit", "export", "--tenant", seeded, "--out", str(bundle), "--reason", "审计"]
    result = runner.invoke(app, [*args, "--from", "2", "--to", "5"])
    assert result.exit_code == 0, result.output
    manifest = json.loads((bundle / "manifest.json").read_text())
    assert (manifest["from_position"], manifest["to_position"], manifest["count"]) == (2, 5, 4)


@pytest.mark.parametrize("bound", ["from_position", "to_position"])
def test_export_bundle_refuses_position_0_instead_of_exporting_the_whole_log(
    signing_env, platform, reader, seeded, auditor, tmp_path, bound
):
    with pytest.raises(ValidationError, match="1 or more"):
        export_bundle(reader, seeded, tmp_path / "b", load_signing_key(), auditor, **{bound: 0})
    assert not (tmp_path / "b").exists()
    assert list_access_log(platform.app_pool, seeded) == []


@pytest.mark.parametrize(
    ("command", "says"),
    [
        (["as-of", "--at", NAIVE], "time zone"),
        (["as-of", "--at", "²"], "neither a position nor an ISO time"),
        (["as-of", "--at", "-1"], "neither a position nor an ISO time"),
        (["as-of", "--at", "9", "--reason", "  "], "needs a reason"),
        (["diff", "--from", NAIVE, "--to", "10"], "time zone"),
        (["diff", "--from", "9", "--to", "soon"], "neither a position nor an ISO time"),
    ],
)
def test_time_travel_with_a_bad_point_or_reason_exits_2_and_records_nothing(
    signing_env, platform, seeded, command, says
):
    rx = str(platform.hall_app(CatalogService, seeded).get_item("RX-001").id)
    reason = [] if "--reason" in command else ["--reason", "抽查"]
    _refused(["audit", *command, "--tenant", seeded, "--record", rx, *reason], says=says)
    assert list_access_log(platform.app_pool, seeded) == []


@pytest.mark.parametrize(
    ("options", "says"),
    [
        (["--since", NAIVE], "time zone"),
        (["--until", "tomorrow"], "neither a position nor an ISO time"),
        (["--since", "2028-W01-1T08:00:00+08:00"], "neither a position nor an ISO time"),
        (["--until", "2028-01-01T08:00:00+23:59"], "neither a position nor an ISO time"),
        (["--since", "12"], "is not an ISO time"),
        (["--first", "0"], "--first"),
        (["--first", "501"], "--first"),
        (["--after", "-1"], "--after"),
        (["--event-type", "complaints.ComplaintRecieved"], "unknown event type"),
    ],
)
def test_history_with_bad_options_exits_2_and_records_nothing(
    signing_env, platform, seeded, options, says
):
    _refused(["audit", "history", "--tenant", seeded, "--reason", "抽查", *options], says=says)
    assert list_access_log(platform.app_pool, seeded) == []


def test_history_with_a_zoned_time_reads(signing_env, seeded):
    result = runner.invoke(
        app,
        ["audit", "history", "--tenant", seeded, "--reason", "抽查", "--since", NAIVE + "+08:00"],
    )
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("first", ["0", "501"])
def test_the_access_log_page_size_is_checked_not_clamped(signing_env, seeded, first):
    _refused(["audit", "access-log", "--tenant", seeded, "--first", first], says="--first")


@pytest.fixture
def published(signing_env, seeded, tmp_path):
    prom = tmp_path / "heads.prom"
    result = runner.invoke(
        app, ["audit", "publish-heads", "--tenant", seeded, "--textfile", str(prom)]
    )
    assert result.exit_code == 0, result.output
    return prom


@pytest.mark.parametrize(
    ("options", "says"),
    [
        (
            ["--tenant", "{hall}", "--position", "11"],
            "needs all of --tenant, --position and --hash",
        ),
        (["--position", "11", "--hash", "ab" * 32], "needs all of --tenant, --position and --hash"),
        (["--from-log"], "--from-log needs --tenant"),
        (["--tenant", "{hall}"], "give --position and --hash, or --from-log"),
        (["--tenant", "{hall}", "--position", "11", "--hash", "xyz"], "not 64 hex digits"),
        (["--tenant", "{hall}", "--position", "0", "--hash", "ab" * 32], "--position"),
    ],
)
def test_check_heads_with_an_incomplete_head_exits_2_instead_of_ignoring_it(
    published, seeded, options, says
):
    given = [o.replace("{hall}", seeded) for o in options]
    _refused(["audit", "check-heads", "--textfile", str(published), *given], says=says)


def test_check_heads_with_a_missing_or_unreadable_textfile_exits_2(signing_env, tmp_path):
    _refused(["audit", "check-heads", "--textfile", str(tmp_path / "none.prom")], says="none.prom")
    garbage = tmp_path / "garbage.prom"
    garbage.write_text("yanshen_chain_head_info{tenant=\n")
    _refused(["audit", "check-heads", "--textfile", str(garbage)], says="no readable published")


def test_the_cli_page_limit_is_the_services():
    assert _MAX_PAGE == MAX_PAGE
