"""``yanshen rebuild``, ``yanshen projections`` and ``yanshen schedule``: operator commands of
the projection runtime.

Registered on the main ``yanshen`` app in :mod:`deploy.cli`.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from deploy.progress import OperatorProgress
from deploy.settings import Settings

if TYPE_CHECKING:
    from deploy.bootstrap import Platform
    from projections.runtime import Projection, RebuildReport

__all__ = ["projections", "rebuild", "schedule"]

console = Console(stderr=True)


@contextmanager
def _platform() -> Iterator[Platform]:
    from deploy.bootstrap import Platform, resolve_database_url
    from deploy.logging import configure_logging

    settings = Settings.from_env()
    configure_logging(json_output=settings.log_json)
    url, server = resolve_database_url(settings)
    platform = Platform.open(settings, url)
    try:
        yield platform
    finally:
        platform.close()
        if server:
            server.stop()


def _chosen(name: str) -> list[Projection]:
    from deploy.bootstrap import all_projections

    projections = all_projections()
    if name == "all":
        return projections
    chosen = [p for p in projections if p.name == name]
    if not chosen:
        names = ", ".join(p.name for p in projections)
        console.print(f"[red]unknown projection {name!r}; choose one of: {names}, all[/red]")
        raise typer.Exit(2)
    return chosen


def _summary(report: RebuildReport, check: bool) -> bool:
    where = f" (hall {report.tenant})" if report.tenant is not None else ""
    versions = ", ".join(f"{name} version {v}" for name, v in sorted(report.versions.items()))
    console.print(
        f"{report.projection}{where}: {report.events:,} events in {report.seconds:.1f} s"
        f" ({report.rate:,.0f} events/s)"
        + ("" if check else ", swapped in")
        + (f" ({versions} recorded)" if versions else ""),
        soft_wrap=True,
    )
    if not check:
        return True
    for name, live in sorted(report.live_versions.items()):
        console.print(
            f"  {name}: the live tables were built by version {live}, this code is another"
            " version (rows may differ for that reason)"
        )
    for difference in report.differences:
        if difference.identical:
            console.print(f"  [green]identical[/green] {difference.table}")
            continue
        console.print(
            f"  [red]DIFFERENT[/red] {difference.table}: {difference.only_live} row(s) only"
            f" live, {difference.only_rebuilt} only rebuilt"
        )
        for sample in difference.samples:
            console.print(f"    {sample}", markup=False)
    if report.halls_skipped:
        console.print(f"  not compared (live behind): {', '.join(report.halls_skipped)}")
    return report.identical


def _interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def rebuild(
    projection: Annotated[
        str, typer.Argument(help="The projection to rebuild (e.g. catalog), or 'all'.")
    ],
    tenant: Annotated[
        str | None, typer.Option(help="Rebuild only this hall's rows (the rest stay).")
    ] = None,
    check: Annotated[
        bool,
        typer.Option(
            "--check", help="Build from position 0 and compare with the live tables; swap nothing."
        ),
    ] = False,
    batch_size: Annotated[int, typer.Option(min=1, help="Positions per batch.")] = 5_000,
    jobs: Annotated[
        int,
        typer.Option(
            min=1,
            help="Processes rebuilding halls side by side (and connections building the indexes).",
        ),
    ] = 1,
    downgrade: Annotated[
        bool,
        typer.Option(
            "--downgrade",
            help="Swap in this (older) code's tables over those a newer version built, and"
            " record its version: rolling back a release.",
        ),
    ] = False,
) -> None:
    """Rebuild a read model from position 0 into fresh tables and swap them in (no downtime:
    readers read the old tables until the swap). 'all' rebuilds every read model in one pass
    over the log."""
    terminate = signal.signal(signal.SIGTERM, _interrupt)  # clean up as on Ctrl-C
    try:
        _rebuild(projection, tenant, check, batch_size, jobs, downgrade)
    finally:
        signal.signal(signal.SIGTERM, terminate)


def _rebuild(
    projection: str, tenant: str | None, check: bool, batch_size: int, jobs: int, downgrade: bool
) -> None:
    from projections.runtime import Rebuild, RebuildError

    chosen = _chosen(projection)
    with _platform() as platform, OperatorProgress(console) as progress:
        task = progress.add_task(projection, total=None)

        def show(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total or None)

        def phase(name: str) -> None:
            progress.update(task, description=f"{projection}: {name}")

        try:
            job = Rebuild(
                platform.database_url,
                platform.worker_pool,
                chosen,
                tenant=tenant,
                batch_size=batch_size,
                jobs=jobs,
                progress=show,
                phase=phase,
                downgrade=downgrade,
            )
            report = job.check() if check else job.run()
        except RebuildError as error:
            console.print(f"rebuild failed: {error}", style="red", markup=False)
            console.print("the live read models are as they were")
            raise typer.Exit(2) from None
        except KeyboardInterrupt:
            console.print("rebuild interrupted; the live read models are as they were")
            raise typer.Exit(130) from None
        ok = _summary(report, check)
    if not ok:
        raise typer.Exit(1)


def projections() -> None:
    """List the read models: the version of this code, the version their live tables were
    built with, and whether a rebuild is pending."""
    from deploy.bootstrap import read_models
    from projections.runtime.versions import VersionState, read_versions

    said = {  # the decision is ProjectionVersion.state (the platform overview shows it too)
        VersionState.NOT_RECORDED: "not recorded yet (`yanshen migrate` or the projection"
        " worker records it)",
        VersionState.REBUILD_PENDING: "rebuild pending (the projection worker rebuilds it online)",
        VersionState.CODE_OLDER_THAN_LIVE: "this code is older than the live tables (its"
        " workers apply nothing to them)",
        VersionState.CURRENT: "current",
    }
    with _platform() as platform, platform.worker_pool.connection() as conn:
        versions = read_versions(conn, read_models())
    width = max(len(v.projection) for v in versions)
    typer.echo(f"{'projection':<{width}}  code  live  state")
    for v in versions:
        live = str(v.live) if v.recorded else "-"
        typer.echo(f"{v.projection:<{width}}  {v.code:>4}  {live:>4}  {said[v.state]}")


def schedule(
    once: Annotated[bool, typer.Option("--once", help="Run one round and exit.")] = False,
    interval: Annotated[
        float | None,
        typer.Option(help="Seconds between rounds (above 0). [default: YANSHEN_SCHEDULE_INTERVAL]"),
    ] = None,
) -> None:
    """Run the deadline scheduler: records …Overdue events for records past their deadline."""
    from services.scheduler import DeadlineScheduler, default_sources
    from services.shared.metrics import metrics_port, serve_metrics

    seconds = Settings.from_env().schedule_interval if interval is None else interval
    if not seconds > 0:  # 0 would run rounds back to back, a negative wait fails
        console.print(f"[red]the interval must be above 0 seconds, not {seconds:g}[/red]")
        raise typer.Exit(2)
    port = None if once else metrics_port()  # one round ends before anyone scrapes
    with _platform() as platform:
        scheduler = DeadlineScheduler(  # each round warns, once a day, of a missing schedule
            platform.worker_pool,
            platform.hall_app,
            default_sources(),
            interval=seconds,
            calendars=platform.calendars,
        )
        if once:
            report = scheduler.run_once()
            state = "skipped: another scheduler is running" if report.skipped else "done"
            console.print(
                f"schedule {state}: {report.found} past due, {report.recorded} overdue recorded,"
                f" {report.unchanged} unchanged, {report.failed} refused"
            )
            return

        def on_signal(signum: int, _frame: object) -> None:
            scheduler.stop()

        signal.signal(signal.SIGINT, on_signal)
        signal.signal(signal.SIGTERM, on_signal)
        try:
            serve_metrics(port, "scheduler")
        except OSError as error:  # e.g. the port is taken
            console.print(str(error), style="red", markup=False, highlight=False)
            raise typer.Exit(2) from None
        scheduler.run_forever()
