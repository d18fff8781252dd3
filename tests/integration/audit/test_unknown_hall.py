"""Audit reads of a hall that does not exist are refused and write nothing.

Every audit read is recorded in the hall's log first; for a hall without a log that record
would be the hall's first event, bringing it into the immutable log (and onto the projection
workers' leases). Each entrypoint — the services, the CLI, GraphQL — refuses it instead, and
``tenant_heads`` and ``events`` are unchanged afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest
from typer.testing import CliRunner

from deploy.bootstrap import Platform, all_projections
from deploy.cli import app
from gateway.auth import Role
from services.audit import (
    AccessAction,
    Accessor,
    AuditLog,
    AuditReader,
    HistoryFilter,
    Point,
    UnknownHallError,
    list_access_log,
)
from services.audit.export import export_bundle
from services.audit.heads import PublishedHead, check_heads, heads_in_log, publish_heads
from services.audit.replay import replay_hall, replay_schema
from services.audit.signing import generate_key_file, parse_private_key
from services.store import UnknownTenantError, verify_chain

RECORD = str(uuid.uuid4())
runner = CliRunner()


@pytest.fixture
def unknown() -> str:
    """A hall id that was never registered and has no events."""
    return f"nosuch-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    generate_key_file(tmp_path / "platform.pem")
    return tmp_path / "platform.pem"


def _logs(database_url: str) -> tuple[list[tuple[Any, ...]], int]:
    """Every hall's head row and the number of events (as the owner: all halls)."""
    with psycopg.connect(database_url) as conn:
        heads = conn.execute("SELECT tenant_id, position, last_hash FROM tenant_heads ORDER BY 1")
        events = conn.execute("SELECT count(*) FROM events").fetchone()
        return heads.fetchall(), int(events[0]) if events else 0


@pytest.fixture
def unchanged(database_url: str, unknown: str) -> Callable[[], None]:
    """``unchanged()``: asserts that no hall's log changed since the test began."""
    before = _logs(database_url)

    def check() -> None:
        after = _logs(database_url)
        assert unknown not in {row[0] for row in after[0]}
        assert after == before

    return check


# -- services ---------------------------------------------------------------------------------

SERVICE_CALLS: dict[str, Callable[..., object]] = {
    "record": lambda r, p, h, a, k, t: r.record(h, a, AccessAction.HISTORY, "probe"),
    "history": lambda r, p, h, a, k, t: r.history(h, a, HistoryFilter()),
    "as_of": lambda r, p, h, a, k, t: r.as_of(h, a, RECORD, Point(position=1)),
    "diff": lambda r, p, h, a, k, t: r.diff(h, a, RECORD, Point(position=1), Point(position=2)),
    "export": lambda r, p, h, a, k, t: export_bundle(r, h, t / "bundle", k, a),
    "replay": lambda r, p, h, a, k, t: replay_hall(
        r, p.database_url, p.worker_pool, h, all_projections(), a
    ),
    "access_log": lambda r, p, h, a, k, t: list_access_log(p.app_pool, h),
    "heads_in_log": lambda r, p, h, a, k, t: heads_in_log(p.app_pool, h),
    "publish_heads": lambda r, p, h, a, k, t: publish_heads(r, p.worker_pool, "ops", [h]),
    "publish_head": lambda r, p, h, a, k, t: p.hall_app(AuditLog, h).publish_head(1, "0" * 64, "x"),
}


@pytest.mark.parametrize("call", SERVICE_CALLS.values(), ids=SERVICE_CALLS.keys())
def test_the_services_refuse_an_unknown_hall(
    call: Callable[..., object],
    reader: AuditReader,
    platform: Platform,
    auditor: Accessor,
    unknown: str,
    unchanged: Callable[[], None],
    key_file: Path,
    tmp_path: Path,
) -> None:
    key = parse_private_key(key_file.read_bytes())
    with pytest.raises(UnknownHallError, match=f"unknown hall '{unknown}'") as refused:
        call(reader, platform, unknown, auditor, key, tmp_path)
    assert refused.value.code == "NOT_FOUND"
    unchanged()
    assert not (tmp_path / "bundle").exists()
    with psycopg.connect(platform.database_url) as conn:
        schema = conn.execute(
            "SELECT 1 FROM pg_namespace WHERE nspname = %s", (replay_schema(unknown),)
        )
        assert schema.fetchone() is None


def test_the_chain_of_an_unknown_hall_is_not_reported_intact(
    platform: Platform, unknown: str, seeded: str, unchanged: Callable[[], None]
) -> None:
    with pytest.raises(UnknownTenantError, match=f"unknown hall '{unknown}'"):
        verify_chain(platform.app_pool, unknown)
    head = PublishedHead(unknown, 1, "ab" * 32)
    (check,) = check_heads(platform.app_pool, [head])
    assert not check.ok
    assert f"unknown hall '{unknown}'" in check.reason
    unchanged()
    assert verify_chain(platform.app_pool, seeded).ok


def test_a_known_hall_is_still_read_and_recorded(
    reader: AuditReader, platform: Platform, auditor: Accessor, seeded: str
) -> None:
    assert reader.record(seeded, auditor, AccessAction.HISTORY, "probe") == 12
    assert reader.history(seeded, auditor, HistoryFilter(), first=2).next_after == 2
    assert [e.action for e in list_access_log(platform.app_pool, seeded)] == ["HISTORY"] * 2


# -- CLI --------------------------------------------------------------------------------------

CLI_COMMANDS = {
    "history": ["audit", "history", "--reason", "probe"],
    "as-of": ["audit", "as-of", "--record", RECORD, "--at", "1", "--reason", "probe"],
    "diff": ["audit", "diff", "--record", RECORD, "--from", "1", "--to", "2", "--reason", "p"],
    "export": ["audit", "export", "--out", "{tmp}/bundle", "--reason", "probe"],
    "access-log": ["audit", "access-log"],
    "publish-heads": ["audit", "publish-heads"],
    "check-heads": ["audit", "check-heads", "--from-log"],
    "replay": ["replay", "--reason", "probe"],
    "verify": ["verify"],
}


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, database_url: str, key_file: Path) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("YANSHEN_AUDIT_SIGNING_KEY_FILE", str(key_file))


@pytest.mark.parametrize("command", CLI_COMMANDS.values(), ids=CLI_COMMANDS.keys())
def test_the_cli_refuses_an_unknown_hall_with_status_2(
    command: list[str],
    cli_env: None,
    unknown: str,
    unchanged: Callable[[], None],
    tmp_path: Path,
) -> None:
    args = [a.format(tmp=tmp_path) for a in command] + ["--tenant", unknown]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert f"unknown hall '{unknown}'" in result.output
    assert "OK" not in result.output
    unchanged()


def test_the_cli_still_reads_a_known_hall(cli_env: None, seeded: str) -> None:
    page = runner.invoke(app, ["audit", "history", "--tenant", seeded, "--reason", "probe"])
    assert page.exit_code == 0, page.output
    verified = runner.invoke(app, ["verify", "--tenant", seeded])
    assert verified.exit_code == 0, verified.output
    assert f"hall {seeded}: 12 events, chain intact" in verified.output


# -- GraphQL ----------------------------------------------------------------------------------

QUERIES = {
    "auditHistory": 'auditHistory(reason: "probe", hallId: $h) { events { position } }',
    "auditRecordAsOf": f'auditRecordAsOf(reason: "probe", aggregateId: "{RECORD}",'
    " at: {position: 1}, hallId: $h) { version }",
    "auditRecordDiff": f'auditRecordDiff(reason: "probe", aggregateId: "{RECORD}",'
    " start: {position: 1}, end: {position: 2}, hallId: $h) { changes { field } }",
}


def _refusal(response: Any) -> tuple[list[str], list[str]]:
    errors = response.json().get("errors", [])
    return [e["extensions"]["code"] for e in errors], [e["message"] for e in errors]


@pytest.mark.parametrize("field", QUERIES.values(), ids=QUERIES.keys())
def test_graphql_refuses_an_unknown_hall_with_not_found(
    field: str, gql: Any, token: Any, unknown: str, unchanged: Callable[[], None]
) -> None:
    query = f"query($h: String) {{ {field} }}"
    operator = token(Role.PLATFORM_OPERATOR)
    codes, messages = _refusal(gql(query, {"h": unknown}, token=operator))
    assert codes == ["NOT_FOUND"]
    assert f"unknown hall '{unknown}'" in messages[0]
    auditor = token(Role.AUDITOR, unknown)  # a token for a hall that does not exist
    assert _refusal(gql(query, {}, token=auditor))[0] == ["NOT_FOUND"]
    unchanged()


def test_graphql_access_log_of_an_unknown_hall_is_not_found(
    gql: Any, token: Any, unknown: str, unchanged: Callable[[], None]
) -> None:
    admin = token(Role.HALL_ADMIN, unknown)
    query = "query { auditAccessLog { actor } }"
    assert _refusal(gql(query, token=admin))[0] == ["NOT_FOUND"]
    unchanged()


def test_graphql_still_reads_a_known_hall(gql: Any, token: Any, seeded: str) -> None:
    query = f"query($h: String) {{ {QUERIES['auditHistory']} }}"
    page = gql(query, {"h": seeded}, token=token(Role.PLATFORM_OPERATOR)).json()
    assert page["data"]["auditHistory"]["events"][0]["position"] == 1
