"""The ``yanshen`` command: run the platform, its workers and its operator tasks."""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.text import Text
from typer.core import TyperGroup

from deploy.settings import DEV_JWT_SECRET, ConfigurationError, Settings, masked_url

__all__ = ["app", "main"]

console = Console(stderr=True)
log = logging.getLogger("yanshen")


def _unreachable(error: Exception) -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    where = masked_url(url) if url else "the embedded PostgreSQL"
    return f"cannot connect to the database ({where}): {' '.join(str(error).split())}"


_CONNECTING = ("08", "28", "3D", "57P03")
"""SQLSTATE classes and codes of a database that cannot be reached or logged into."""


def _cannot_connect(error: BaseException) -> bool:
    """Whether ``error`` says the database cannot be reached (no statement ran): libpq's own
    connection failures carry no SQLSTATE; the server's, ``_CONNECTING``."""
    import psycopg

    if not isinstance(error, psycopg.OperationalError):
        return False
    return error.sqlstate is None or error.sqlstate.startswith(_CONNECTING)


class _Yanshen(TyperGroup):
    """The ``yanshen`` group: bad settings and an unreachable database are one red line and
    exit status 2 (like a bad argument), in every command, instead of a traceback."""

    def invoke(self, ctx: Any) -> Any:  # typer's own (vendored) click.Context
        try:
            return super().invoke(ctx)
        except ConfigurationError as error:
            message = str(error)
        except Exception as error:
            if not _cannot_connect(error):
                raise  # a statement that failed (cancelled, timed out …) is no usage error
            message = _unreachable(error)
        console.print(Text(message, style="red"), soft_wrap=True)
        raise typer.Exit(2)


app = typer.Typer(
    cls=_Yanshen,
    help="Yanshen: extended government services platform (政务延伸服务).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,  # locals hold keys, passwords and personal data
)


def _settings() -> Settings:
    return Settings.from_env()


def _setup_logging(settings: Settings) -> None:
    from deploy.logging import configure_logging

    configure_logging(json_output=settings.log_json)


def _check_worker_settings(*, projections: bool, relay: bool) -> None:
    """Read the workers' settings before anything starts, so that a bad value is refused
    (:class:`ConfigurationError`) before a server or a database is touched."""
    from services.shared.metrics import metrics_port

    metrics_port()
    if projections:
        from projections.runtime.options import ProjectionOptions

        ProjectionOptions.from_env()
    if relay:
        from services.relay.config import RelayConfig

        RelayConfig.from_env()


@app.command()
def migrate() -> None:
    """Create or upgrade the database schema (idempotent)."""
    from deploy.bootstrap import migrate_platform as run_migrations
    from deploy.bootstrap import resolve_database_url

    settings = _settings()
    _setup_logging(settings)
    url, server = resolve_database_url(settings)
    try:
        applied = run_migrations(url)
        console.print(
            f"applied {len(applied)} migration(s)" + (f": {', '.join(applied)}" if applied else "")
        )
    finally:
        if server:
            server.stop()


@app.command("seed-demo")
def seed_demo() -> None:
    """Register the demo hall ``demo`` with its catalog, windows and staff (idempotent)."""
    from deploy.bootstrap import Platform, resolve_database_url
    from deploy.demo import seed_demo_hall

    settings = _settings()
    _setup_logging(settings)
    url, server = resolve_database_url(settings)
    platform = Platform.open(settings, url)
    try:
        created = seed_demo_hall(platform)
        console.print(
            f"demo hall: {created} record(s) created" if created else "demo hall already complete"
        )
    finally:
        platform.close()
        if server:
            server.stop()


@app.command("dev-token")
def dev_token(
    role: Annotated[
        str,
        typer.Option(
            help="platform_operator, hall_admin, supervisor, staff, "
            "applicant, auditor or partner_admin"
        ),
    ],
    tenant: Annotated[str | None, typer.Option(help="The hall the token is bound to.")] = None,
    subject: Annotated[str, typer.Option(help="The user id in the token.")] = "dev-user",
    ttl: Annotated[
        int, typer.Option(min=1, max=366 * 86400, help="Lifetime in seconds (at most a year).")
    ] = 8 * 3600,
) -> None:
    """Print a token signed with the development key (refused when a production key is set)."""
    from gateway.auth import Role, issue_token

    settings = _settings()
    if settings.uses_production_key:
        configured = {
            "YANSHEN_JWT_SECRET": settings.jwt_secret not in ("", DEV_JWT_SECRET),
            "YANSHEN_JWT_KEYS": bool(settings.jwt_keys),
            "YANSHEN_JWT_JWKS": bool(settings.jwt_jwks),
        }
        names = ", ".join(name for name, is_set in configured.items() if is_set)
        console.print(
            f"[red]refused: a production key is configured ({names}); "
            "dev-token only signs with the development key[/red]"
        )
        raise typer.Exit(2)
    try:
        parsed = Role(role)
    except ValueError:
        console.print(f"[red]unknown role {role!r}[/red]")
        raise typer.Exit(2) from None
    if parsed is not Role.PLATFORM_OPERATOR and not tenant:
        console.print("[red]--tenant is required for this role (e.g. --tenant demo)[/red]")
        raise typer.Exit(2)
    typer.echo(issue_token(settings, subject=subject, role=parsed, tenant=tenant, ttl_seconds=ttl))


@app.command()
def verify(
    tenant: Annotated[str, typer.Option(help="The hall whose hash chain to verify.")],
) -> None:
    """Walk a hall's hash chain: OK, or the first position that was altered or removed."""
    from deploy.bootstrap import resolve_database_url
    from services.store import UnknownTenantError, verify_tenant

    settings = _settings()
    url, server = resolve_database_url(settings)
    try:
        result = verify_tenant(url, tenant)
    except UnknownTenantError as error:
        console.print(f"[red]{error}[/red]")  # exit 2: a bad argument, not a broken chain (1)
        raise typer.Exit(2) from None
    finally:
        if server:
            server.stop()
    if result.ok:
        console.print(
            f"[green]OK[/green] hall {tenant}: {result.events_checked} events, chain intact"
        )
        return
    console.print(
        f"[red]BROKEN[/red] hall {tenant}: first bad position {result.first_bad_position}: "
        f"{result.reason}"
    )
    raise typer.Exit(1)


@app.command()
def serve(
    workers: Annotated[
        bool,
        typer.Option(
            help="Also run the projection worker (and the relay "
            "when KAFKA_BOOTSTRAP_SERVERS is set)."
        ),
    ] = True,
) -> None:
    """Serve GraphQL at http://HOST:PORT/graphql (needs a token key: YANSHEN_JWT_JWKS,
    YANSHEN_JWT_KEYS or YANSHEN_JWT_SECRET)."""
    settings = _settings()
    refusal = settings.dev_key_refusal
    if refusal:
        console.print(f"[red]refused: {refusal}[/red]")
        raise typer.Exit(2)
    from deploy.runner import StartupError, run_platform

    relay = bool(settings.kafka_bootstrap_servers)
    _check_worker_settings(projections=workers, relay=workers and relay)
    _setup_logging(settings)
    try:
        code = run_platform(settings, with_workers=workers, seed=False)
    except StartupError as error:
        console.print(str(error), style="red", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    raise typer.Exit(code)


@app.command()
def run() -> None:
    """Everything on one machine: embedded PostgreSQL, migrations, demo hall, projection worker,
    deadline scheduler (and relay when KAFKA_BOOTSTRAP_SERVERS is set), GraphQL."""
    from deploy.runner import StartupError, run_platform

    settings = _settings()
    _check_worker_settings(projections=True, relay=bool(settings.kafka_bootstrap_servers))
    _setup_logging(settings)
    try:
        code = run_platform(settings, with_workers=True, seed=True, with_scheduler=True)
    except StartupError as error:
        console.print(str(error), style="red", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    raise typer.Exit(code)


def _run_worker(target: str) -> None:
    from deploy.bootstrap import Platform, resolve_database_url

    settings = _settings()
    _check_worker_settings(projections=target == "project", relay=target == "relay")
    _setup_logging(settings)
    url, server = resolve_database_url(settings)
    platform = Platform.open(settings, url)
    worker = platform.projection_worker() if target == "project" else platform.stream_relay()
    stop = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        log.info("signal %s: stopping %s", signum, target)
        worker.stop()
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        if target == "relay":  # the projection worker serves its own (also in `run`)
            from services.shared.metrics import metrics_port, serve_metrics

            serve_metrics(metrics_port(), target)
        worker.run_forever()
    except OSError as error:  # e.g. its metrics port is taken (a lost database is retried)
        log.error("%s could not start: %s", target, error)
        raise typer.Exit(2) from None
    finally:
        platform.close()
        if server:
            server.stop()


@app.command()
def project() -> None:
    """Run the projection worker: keeps every hall's read models up to date."""
    _run_worker("project")


@app.command()
def relay() -> None:
    """Run the stream relay: publishes every hall's events to Kafka (KAFKA_BOOTSTRAP_SERVERS)."""
    if not _settings().kafka_bootstrap_servers:
        console.print("[red]KAFKA_BOOTSTRAP_SERVERS is not set[/red]")
        raise typer.Exit(2)
    _run_worker("relay")


from deploy.cli_projections import projections, rebuild, schedule  # noqa: E402  (operator commands)

app.command()(rebuild)
app.command()(projections)
app.command()(schedule)


from deploy.cli_partners import partners_app  # noqa: E402  (partner streams)

app.add_typer(partners_app, name="partners")


from deploy.cli_calendar import calendar_app  # noqa: E402  (holiday schedules)

app.add_typer(calendar_app, name="calendar")


from deploy.cli_audit import audit_app, replay  # noqa: E402  (auditors)

app.add_typer(audit_app, name="audit")
app.command()(replay)


def main() -> None:
    sys.exit(app())


if __name__ == "__main__":
    main()
