"""``yanshen audit …`` and ``yanshen replay``: the auditors' and operators' tools.

Every command that reads a hall's history needs ``--reason`` and is recorded in the hall's
access log before it reads (``--actor`` defaults to ``cli:<login>``, role ``operator``).
A hall that has no log is refused with exit status 2 and nothing recorded, and so are bad
arguments (a point that is neither a position nor a time with its zone, a position below 1 for
an export, an incomplete published head), checked before the database is opened.
``yanshen audit verify`` needs no database. See ``docs/audit.md``.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from deploy.progress import OperatorProgress
from deploy.settings import Settings

if TYPE_CHECKING:
    from deploy.bootstrap import Platform
    from services.audit import Accessor, Point
    from services.audit.heads import PublishedHead

__all__ = ["audit_app", "replay"]

audit_app = typer.Typer(
    help="Auditors: history, time travel, signed exports, chain heads (every read is logged).",
    no_args_is_help=True,
)
console = Console(stderr=True)
out = Console()

Tenant = Annotated[str, typer.Option(help="The hall, or platform (the platform log).")]
Reason = Annotated[str, typer.Option(help="Why you read this hall's history (logged).")]
Actor = Annotated[str, typer.Option(help="Who reads (default cli:<login>).")]
Personal = Annotated[
    bool, typer.Option(help="Show applicants' personal data in plaintext (logged).")
]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]

_MAX_PAGE = 500
"""The largest page of ``history`` and ``access-log`` (``services.audit.history.MAX_PAGE``)."""
_HASH = re.compile(r"[0-9a-fA-F]{64}")


def _accessor(actor: str, reason: str) -> Accessor:
    """Who reads and why; a blank or overlong ``--reason`` is a bad argument (exit 2)."""
    from services.audit import Accessor, ReasonRequiredError

    try:
        return Accessor(actor=actor or f"cli:{getpass.getuser()}", role="operator", reason=reason)
    except ReasonRequiredError as error:
        raise typer.BadParameter(str(error), param_hint="--reason") from None


@contextlib.contextmanager
def _platform() -> Iterator[Platform]:
    """The platform on ``DATABASE_URL`` (or the embedded server); domain errors exit 1.

    An unknown hall exits 2, like other bad arguments: it is told apart from a check that
    failed (1), e.g. a replay that differs.
    """
    from deploy.bootstrap import Platform, resolve_database_url
    from services.audit import UnknownHallError
    from services.shared.errors import DomainError

    settings = Settings.from_env()
    url, server = resolve_database_url(settings)
    platform = Platform.open(settings, url)
    try:
        yield platform
    except UnknownHallError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None
    except DomainError as error:
        console.print(f"[red]{type(error).__name__}: {error}[/red]")
        raise typer.Exit(1) from None
    finally:
        platform.close()
        if server:
            server.stop()


def _reader(platform: Platform) -> Any:
    from services.audit import AuditReader

    return AuditReader(platform.store)


def _point(text: str, option: str) -> Point:
    """A position (digits) or an RFC 3339 time with its zone; anything else exits 2."""
    from services.audit import Point
    from services.shared.errors import ValidationError
    from services.shared.values import parse_datetime

    try:
        at = None if text.isascii() and text.isdigit() else parse_datetime(text, "a time")
    except ValidationError as error:  # also 20260501, week dates: not what a reader expects
        raise typer.BadParameter(
            f"{text!r} is neither a position nor an ISO time ({error})", param_hint=option
        ) from None
    try:
        return Point(position=int(text)) if at is None else Point(at=at)
    except ValidationError as error:
        raise typer.BadParameter(f"{text!r}: {error}", param_hint=option) from None


def _time(text: str | None, option: str) -> datetime | None:
    """An ISO 8601 time with its zone (``None`` when not given); anything else exits 2."""
    if text is None:
        return None
    point = _point(text, option)
    if point.at is None:
        raise typer.BadParameter(f"{text!r} is not an ISO time", param_hint=option)
    return point.at


def _export_point(text: str | None, option: str) -> Point | None:
    """An export's bound: a position of 1 or more, or a time with its zone."""
    if text is None:
        return None
    point = _point(text, option)
    if point.position is not None and point.position < 1:
        raise typer.BadParameter(f"positions start at 1, not {text}", param_hint=option)
    return point


def _dump(data: Any) -> None:
    out.print_json(json.dumps(data, ensure_ascii=False, default=str))


@audit_app.command()
def history(
    tenant: Tenant,
    reason: Reason,
    record: Annotated[str | None, typer.Option(help="Only this record (aggregate id).")] = None,
    event_type: Annotated[
        str | None, typer.Option(help="Only this type, e.g. complaints.ComplaintReceived.")
    ] = None,
    by: Annotated[str | None, typer.Option(help="Only events whose actor is this.")] = None,
    since: Annotated[str | None, typer.Option(help="Recorded at or after (ISO time).")] = None,
    until: Annotated[str | None, typer.Option(help="Recorded before (ISO time).")] = None,
    after: Annotated[int, typer.Option(min=0, help="Start after this position.")] = 0,
    first: Annotated[int, typer.Option(min=1, max=_MAX_PAGE, help="Page size (at most 500).")] = 50,
    personal: Personal = False,
    actor: Actor = "",
) -> None:
    """A page of a hall's event history as JSON (pass the printed next_after for more)."""
    from dataclasses import asdict

    from services.audit import HistoryFilter
    from services.audit.history import topics_for
    from services.shared.errors import ValidationError

    where = HistoryFilter(
        aggregate_id=record,
        event_type=event_type,
        actor=by,
        since=_time(since, "--since"),
        until=_time(until, "--until"),
    )
    try:
        if event_type:
            topics_for(event_type)
    except ValidationError as error:
        raise typer.BadParameter(str(error), param_hint="--event-type") from None
    accessor = _accessor(actor, reason)
    with _platform() as platform:
        page = _reader(platform).history(
            tenant, accessor, where, after=after, first=first, personal=personal
        )
    _dump({"entries": [asdict(e) for e in page.entries], "next_after": page.next_after})


@audit_app.command("as-of")
def as_of(
    tenant: Tenant,
    record: Annotated[str, typer.Option(help="The record (aggregate id).")],
    at: Annotated[str, typer.Option(help="A position, or an ISO time with its zone.")],
    reason: Reason,
    personal: Personal = False,
    actor: Actor = "",
) -> None:
    """A record's state as of a position or a time, as JSON."""
    from dataclasses import asdict

    point, accessor = _point(at, "--at"), _accessor(actor, reason)
    with _platform() as platform:
        state = _reader(platform).as_of(tenant, accessor, record, point, personal=personal)
    _dump(asdict(state))


@audit_app.command()
def diff(
    tenant: Tenant,
    record: Annotated[str, typer.Option(help="The record (aggregate id).")],
    start: Annotated[str, typer.Option("--from", help="A position or an ISO time.")],
    end: Annotated[str, typer.Option("--to", help="A position or an ISO time.")],
    reason: Reason,
    personal: Personal = False,
    as_json: AsJson = False,
    actor: Actor = "",
) -> None:
    """The fields of a record that changed between two points in time."""
    from dataclasses import asdict

    first, second = _point(start, "--from"), _point(end, "--to")
    accessor = _accessor(actor, reason)
    with _platform() as platform:
        result = _reader(platform).diff(tenant, accessor, record, first, second, personal=personal)
    if as_json:
        _dump([asdict(c) for c in result.changes])
        return
    table = Table(title=f"record {record}: {start} → {end}")
    for column in ("field", "change", "before", "after"):
        table.add_column(column)
    for change in result.changes:
        table.add_row(change.field, change.kind, repr(change.before), repr(change.after))
    out.print(table)


@audit_app.command()
def export(
    tenant: Tenant,
    out_dir: Annotated[Path, typer.Option("--out", help="The bundle directory (must not exist).")],
    reason: Reason,
    start: Annotated[
        str | None, typer.Option("--from", help="First position, or an ISO time.")
    ] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last position, or an ISO time.")] = None,
    actor: Actor = "",
) -> None:
    """Write a signed bundle of a hall's events (key: YANSHEN_AUDIT_SIGNING_KEY[_FILE])."""
    from services.audit.export import export_bundle
    from services.audit.signing import SigningKeyError, load_signing_key

    first, last = _export_point(start, "--from"), _export_point(end, "--to")
    lo, hi = (first.position if first else None), (last.position if last else None)
    if lo is not None and hi is not None and lo > hi:
        raise typer.BadParameter(f"{start} is after {end}", param_hint="--from/--to")
    accessor = _accessor(actor, reason)
    try:
        key = load_signing_key()
    except SigningKeyError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None
    with _platform() as platform, OperatorProgress(console) as progress:
        task = progress.add_task(f"export {tenant}", total=None)
        result = export_bundle(
            _reader(platform),
            tenant,
            out_dir,
            key,
            accessor,
            from_position=first.position if first else None,
            to_position=last.position if last else None,
            since=first.at if first else None,
            until=last.at if last else None,
            progress=lambda done, total: progress.update(task, completed=done, total=total),
        )
    console.print(
        f"[green]exported[/green] {result.count} events ({result.from_position}-"
        f"{result.to_position}) of hall {tenant} to {result.path}, head {result.head_hash}"
    )


@audit_app.command()
def verify(
    bundle: Annotated[
        Path,
        typer.Argument(
            exists=True, file_okay=False, metavar="BUNDLE", help="The bundle directory."
        ),
    ],
    public_key: Annotated[
        Path | None,
        typer.Option(exists=True, dir_okay=False, help="The platform's public key (pin it!)."),
    ] = None,
) -> None:
    """Check a bundle without a database: signature, chain, order, completeness (exit 1:
    broken; 2: no bundle directory, an unusable key file, or a bundle file that is there but
    cannot be read)."""
    from services.audit.verifier import UnreadableBundleError, verify_bundle

    try:
        key = public_key.read_text() if public_key else None
        report = verify_bundle(bundle, key)  # ValueError: the key is unusable
    except (OSError, ValueError) as error:  # not the bundle's: a broken one is a report
        raise typer.BadParameter(str(error), param_hint="--public-key") from None
    except UnreadableBundleError as error:  # nothing checked: not a broken bundle
        raise typer.BadParameter(str(error), param_hint="BUNDLE") from None
    if report.ok:
        console.print(f"[green]{report}[/green]")
        return
    console.print(f"[red]{report}[/red]")
    raise typer.Exit(1)


@audit_app.command()
def keygen(
    key_out: Annotated[Path, typer.Option("--out", help="Private key file to create (PEM).")],
) -> None:
    """Create the platform's Ed25519 signing key (and KEY.pub for auditors)."""
    from services.audit.signing import KEY_FILE_ENV, generate_key_file

    try:
        public = generate_key_file(key_out)
    except FileExistsError:
        console.print(f"[red]{key_out} exists; refusing to overwrite a key[/red]")
        raise typer.Exit(2) from None
    console.print(f"private key: {key_out} (set {KEY_FILE_ENV}={key_out})")
    console.print(f"public key:  {key_out}.pub")
    out.print(public)


@audit_app.command("publish-heads")
def publish_heads(
    tenant: Annotated[
        list[str] | None, typer.Option(help="Only these halls (default: all).")
    ] = None,
    textfile: Annotated[
        Path | None, typer.Option(help="Also write the metrics here (node_exporter).")
    ] = None,
    actor: Actor = "",
) -> None:
    """Record each hall's chain head as ChainHeadPublished and as metrics."""
    from services.audit import heads

    with _platform() as platform:
        published = heads.publish_heads(
            _reader(platform),
            platform.worker_pool,
            actor or f"cli:{getpass.getuser()}",
            tenants=tenant or None,
        )
    if textfile is not None:
        heads.write_textfile(textfile, published)
    for head in published:
        out.print(f"{head.tenant_id} {head.position} {head.hash}")


@audit_app.command("check-heads")
def check_heads(
    textfile: Annotated[
        Path | None,
        typer.Option(exists=True, dir_okay=False, help="Heads published earlier (metrics text)."),
    ] = None,
    tenant: Annotated[
        str | None, typer.Option(help="The hall (with --position and --hash, or --from-log).")
    ] = None,
    position: Annotated[int | None, typer.Option(min=1, help="A published head position.")] = None,
    hash_hex: Annotated[
        str | None, typer.Option("--hash", help="Its published hash (64 hex digits).")
    ] = None,
    from_log: Annotated[
        bool, typer.Option(help="Check the heads published in the hall's own log.")
    ] = False,
) -> None:
    """Check halls' chains against published heads: a rewrite of history shows up."""
    from services.audit import heads

    published = _given_heads(textfile, tenant, position, hash_hex, from_log=from_log)
    with _platform() as platform:
        if tenant is not None and from_log:
            published += heads.heads_in_log(platform.app_pool, tenant)
        if not published:
            console.print("[red]no published heads given (--textfile, --hash or --from-log)[/red]")
            raise typer.Exit(2)
        checks = heads.check_heads(platform.app_pool, published)
    for check in checks:
        console.print(f"[{'green' if check.ok else 'red'}]{check}[/]")
    if not all(c.ok for c in checks):
        raise typer.Exit(1)


def _given_heads(
    textfile: Path | None,
    tenant: str | None,
    position: int | None,
    hash_hex: str | None,
    *,
    from_log: bool,
) -> list[PublishedHead]:
    """The heads of ``--textfile`` and ``--tenant --position --hash``; bad ones exit 2."""
    from services.audit import heads

    if (position is None) != (hash_hex is None) or (position is not None and tenant is None):
        raise typer.BadParameter(
            "a published head needs all of --tenant, --position and --hash",
            param_hint="--tenant/--position/--hash",
        )
    if from_log and tenant is None:
        raise typer.BadParameter("--from-log needs --tenant", param_hint="--from-log")
    if tenant is not None and position is None and not from_log:
        raise typer.BadParameter(
            "with --tenant give --position and --hash, or --from-log", param_hint="--tenant"
        )
    if hash_hex is not None and not _HASH.fullmatch(hash_hex):
        raise typer.BadParameter(f"{hash_hex!r} is not 64 hex digits", param_hint="--hash")
    published: list[PublishedHead] = []
    if textfile is not None:
        try:
            published = heads.read_textfile(textfile)
        except (ValueError, KeyError, UnicodeDecodeError) as error:
            raise typer.BadParameter(
                f"{textfile} holds no readable published heads ({error})", param_hint="--textfile"
            ) from None
    if tenant is not None and position is not None and hash_hex is not None:
        published.append(heads.PublishedHead(tenant, position, hash_hex.lower()))
    return published


@audit_app.command("access-log")
def access_log(
    tenant: Tenant,
    first: Annotated[
        int, typer.Option(min=1, max=_MAX_PAGE, help="How many, newest first (at most 500).")
    ] = 50,
) -> None:
    """Who read the hall's history, when, and why."""
    from dataclasses import asdict

    from services.audit import list_access_log

    with _platform() as platform:
        entries = list_access_log(platform.app_pool, tenant, first=first)
    _dump([asdict(e) for e in entries])


def replay(
    tenant: Tenant,
    reason: Reason,
    keep: Annotated[bool, typer.Option(help="Keep the replay schema for inspection.")] = False,
    batch_size: Annotated[int, typer.Option(min=1, help="Events per transaction.")] = 1000,
    as_json: AsJson = False,
    actor: Actor = "",
) -> None:
    """Replay a hall's history through fresh projections and compare with the live models."""
    from dataclasses import asdict

    from deploy.bootstrap import all_projections
    from services.audit.replay import replay_hall

    accessor = _accessor(actor, reason)
    with _platform() as platform, OperatorProgress(console) as progress:
        task = progress.add_task(f"replay {tenant}", total=None)
        report = replay_hall(
            _reader(platform),
            platform.database_url,
            platform.worker_pool,
            tenant,
            all_projections(),
            accessor,
            batch_size=batch_size,
            keep=keep,
            progress=lambda done, total: progress.update(task, completed=done, total=total),
        )
    if as_json:
        _dump(asdict(report) | {"identical": report.identical})
    else:
        _replay_table(report)
    if keep:
        console.print(
            f"replay schema kept: {report.schema} until {report.kept_until}"
            " (dropped sooner if personal data of the hall is erased meanwhile)"
        )
    if not report.identical:
        raise typer.Exit(1)


def _replay_table(report: Any) -> None:
    table = Table(
        title=f"replay of hall {report.tenant_id}: {report.events} events, "
        f"{report.events_per_second:,.0f} events/s"
    )
    for column in (
        "projection",
        "table",
        "position",
        "live rows",
        "replayed",
        "live only",
        "replay only",
    ):
        table.add_column(column)
    for t in report.tables:
        style = "" if t.identical else "red"
        table.add_row(
            t.projection,
            t.table,
            str(t.live_position),
            str(t.live_rows),
            str(t.replayed_rows),
            str(t.only_live),
            str(t.only_replayed),
            style=style,
        )
    out.print(table)
    for t in report.tables:
        for sample in t.samples:
            console.print(f"[red]{t.table}[/red] {sample}")
    if report.head > report.position:
        console.print(f"live read models at position {report.position} of head {report.head}")
