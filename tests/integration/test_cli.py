"""The ``yanshen`` command: help everywhere, dev tokens, serve's key check, hash-chain
verification."""

from __future__ import annotations

import psycopg
import pytest
from typer.testing import CliRunner

from deploy.cli import app
from deploy.demo import seed_demo_hall
from deploy.settings import DEV_JWT_SECRET, Settings
from gateway.auth import Role, decode_token
from services.store.migrate import _LOCK_KEY as MIGRATIONS_LOCK

runner = CliRunner()


def _command_paths() -> list[list[str]]:
    """Every command and sub-command of ``yanshen``, found by walking the click tree."""
    from typer.main import get_command

    def walk(command: object, path: list[str]) -> list[list[str]]:
        paths = [path] if path else []
        for name, sub in getattr(command, "commands", {}).items():
            paths += walk(sub, [*path, name])
        return paths

    return walk(get_command(app), [])


def test_the_core_commands_exist():
    names = {" ".join(p) for p in _command_paths()}
    assert {
        "run",
        "serve",
        "migrate",
        "seed-demo",
        "project",
        "relay",
        "dev-token",
        "verify",
    } <= names


@pytest.mark.parametrize("path", _command_paths(), ids=" ".join)
def test_every_command_has_help(path):
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_dev_token_prints_a_valid_token(monkeypatch):
    monkeypatch.delenv("YANSHEN_JWT_SECRET", raising=False)
    result = runner.invoke(app, ["dev-token", "--role", "hall_admin", "--tenant", "demo"])
    assert result.exit_code == 0, result.output
    principal = decode_token(result.stdout.strip(), Settings())
    assert (principal.role, principal.tenant) == (Role.HALL_ADMIN, "demo")


def test_dev_token_refuses_when_a_production_key_is_configured(monkeypatch):
    monkeypatch.setenv("YANSHEN_JWT_SECRET", "a-real-production-key-0123456789abcdef")
    result = runner.invoke(app, ["dev-token", "--role", "hall_admin", "--tenant", "demo"])
    assert result.exit_code == 2
    assert "refused" in result.output


def test_dev_token_needs_a_hall_for_hall_roles(monkeypatch):
    monkeypatch.delenv("YANSHEN_JWT_SECRET", raising=False)
    assert runner.invoke(app, ["dev-token", "--role", "hall_admin"]).exit_code == 2
    assert runner.invoke(app, ["dev-token", "--role", "king", "--tenant", "x"]).exit_code == 2


@pytest.mark.parametrize("ttl", ["0", "-60"])
def test_dev_token_refuses_a_token_expired_when_printed(monkeypatch, ttl):
    monkeypatch.delenv("YANSHEN_JWT_SECRET", raising=False)
    result = runner.invoke(
        app, ["dev-token", "--role", "hall_admin", "--tenant", "x", "--ttl", ttl]
    )
    assert result.exit_code == 2
    assert "--ttl" in result.output
    assert "eyJ" not in result.output  # no token


_KEY_VARIABLES = (
    "YANSHEN_JWT_SECRET",
    "YANSHEN_JWT_KEYS",
    "YANSHEN_JWT_JWKS",
    "YANSHEN_ALLOW_DEV_KEY",
)


@pytest.fixture
def started(monkeypatch):
    """No key configured; ``run_platform`` replaced: the settings each start got."""
    for name in _KEY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    calls: list[tuple[Settings, bool]] = []

    def run_platform(
        settings: Settings, *, with_workers: bool, seed: bool, with_scheduler: bool = False
    ) -> int:
        assert with_scheduler == seed, "run (the local demo) runs the scheduler, serve not"
        calls.append((settings, seed))
        return 0

    monkeypatch.setattr("deploy.runner.run_platform", run_platform)
    return calls


def test_serve_refuses_to_start_with_the_public_development_key(started):
    result = runner.invoke(app, ["serve"])
    assert result.exit_code == 2, result.output
    assert "refused" in result.output
    assert "YANSHEN_JWT_JWKS" in result.output
    assert started == []


def test_serve_refuses_the_development_key_set_as_the_secret(started, monkeypatch):
    monkeypatch.setenv("YANSHEN_JWT_SECRET", DEV_JWT_SECRET)
    assert runner.invoke(app, ["serve", "--no-workers"]).exit_code == 2
    assert started == []


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("YANSHEN_JWT_SECRET", "a-real-production-key-0123456789abcdef"),
        ("YANSHEN_JWT_KEYS", "2025-07:a-real-production-key-0123456789abcdef"),
        ("YANSHEN_JWT_JWKS", "https://idp.example/jwks.json"),
        ("YANSHEN_ALLOW_DEV_KEY", "1"),
    ],
)
def test_serve_starts_with_a_key_or_the_explicit_opt_in(started, monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    result = runner.invoke(app, ["serve"])
    assert result.exit_code == 0, result.output
    assert [seed for _, seed in started] == [False]


def test_run_the_local_demo_starts_with_the_development_key(started):
    result = runner.invoke(app, ["run"])
    assert result.exit_code == 0, result.output
    ((settings, seed),) = started
    assert seed
    assert not settings.uses_production_key


def test_verify_reports_an_intact_chain_then_a_tampered_row(
    monkeypatch, platform, database_url, tenant_id
):
    seed_demo_hall(platform, tenant_id)
    monkeypatch.setenv("DATABASE_URL", database_url)
    result = runner.invoke(app, ["verify", "--tenant", tenant_id])
    assert result.exit_code == 0, result.output
    assert "OK" in result.output
    assert "9 events" in result.output

    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(
            "UPDATE events SET state = convert_to('{}', 'UTF8')"
            " WHERE tenant_id = %s AND position = 4",
            (tenant_id,),
        )
    result = runner.invoke(app, ["verify", "--tenant", tenant_id])
    assert result.exit_code == 1
    assert "first bad position 4" in result.output


@pytest.mark.parametrize(
    ("command", "variable", "value"),
    [
        (["serve"], "YANSHEN_PORT", "abc"),
        (["run"], "YANSHEN_PORT", "70000"),
        (["project"], "YANSHEN_PROJECTION_BATCH", "0"),
        (["project"], "YANSHEN_METRICS_PORT", "abc"),
        (["relay"], "YANSHEN_METRICS_PORT", "0"),
        (["schedule"], "YANSHEN_METRICS_PORT", "70000"),
        (["project"], "YANSHEN_LEASE_TTL", "nan"),
        (["run"], "YANSHEN_LEASE_TTL", "inf"),
        (["relay"], "YANSHEN_RELAY_BATCH_SIZE", "-1"),
        (["serve"], "YANSHEN_JWT_KEYS", "oops"),
        (["dev-token", "--role", "platform_operator"], "YANSHEN_LOG_JSON", "maybe"),
        (["migrate"], "DATABASE_URL", "not a connection string"),
    ],
)
def test_a_setting_that_cannot_be_used_is_one_line_naming_it_and_exit_2(
    started, monkeypatch, command, variable, value
):
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1")
    monkeypatch.setenv(variable, value)
    result = runner.invoke(app, command)
    assert result.exit_code == 2, result.output
    (line,) = result.output.strip().splitlines()
    assert line.startswith(variable)
    assert "must be" in line
    assert started == []


def test_a_refused_key_list_is_not_repeated(started, monkeypatch):
    monkeypatch.setenv("YANSHEN_JWT_KEYS", "2025-07:a-real-key,the-next-real-key")
    result = runner.invoke(app, ["serve"])
    assert result.exit_code == 2
    assert "real-key" not in result.output


@pytest.mark.parametrize("command", [["migrate"], ["verify", "--tenant", "demo"], ["project"]])
def test_an_unreachable_database_is_one_line_without_the_password_and_exit_2(monkeypatch, command):
    password = "DbPassw0rd-" + "Q4" * 4
    monkeypatch.setenv("DATABASE_URL", f"postgresql://yanshen:{password}@127.0.0.1:1/yanshen")
    result = runner.invoke(app, command)
    assert result.exit_code == 2, result.output
    (line,) = result.output.strip().splitlines()
    assert line.startswith("cannot connect to the database (postgresql://yanshen:***@127.0.0.1:1/")
    assert "Connection refused" in line
    assert password not in result.output


def test_a_statement_that_fails_is_not_reported_as_an_unreachable_database(
    monkeypatch, database_url
):
    """Reached and logged into, the database refused a statement (a lock it waited for too
    long): a failure of the command (exit 1, with its reason), not "cannot connect" and a
    usage error."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("PGOPTIONS", "-c lock_timeout=50")
    with psycopg.connect(database_url) as other:  # another migrate holds the migrations' lock
        other.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATIONS_LOCK,))
        result = runner.invoke(app, ["migrate"])
    assert result.exit_code == 1, result.output
    assert "cannot connect" not in result.output
    assert "lock timeout" in repr(result.exception)
