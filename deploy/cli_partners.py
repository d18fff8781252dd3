"""``yanshen partners``: register partners, grant and revoke, list, replay history.

The operator's tools for partner event streams (see ``docs/partners.md``). Hall admins do
the same over GraphQL (``grantPartner`` / ``revokePartnerGrant``).
"""

from __future__ import annotations

import contextlib
import getpass
from collections.abc import Iterator
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from deploy.progress import OperatorProgress
from deploy.settings import Settings

if TYPE_CHECKING:
    from deploy.bootstrap import Platform
    from services.partners import PartnerRegistry

__all__ = ["partners_app"]

partners_app = typer.Typer(
    help="Partners: the systems that receive halls' events on Kafka (grants, replay).",
    no_args_is_help=True,
)
console = Console(stderr=True)
out = Console()

Actor = Annotated[str, typer.Option(help="Who does this (recorded in the event).")]


class Start(StrEnum):
    beginning = "beginning"
    now = "now"


def _default_actor() -> str:
    return f"cli:{getpass.getuser()}"


@contextlib.contextmanager
def _platform() -> Iterator[Platform]:
    """The platform on ``DATABASE_URL`` (or the embedded server); domain errors exit 1."""
    from deploy.bootstrap import Platform, resolve_database_url
    from services.shared.errors import DomainError

    settings = Settings.from_env()
    url, server = resolve_database_url(settings)
    platform = Platform.open(settings, url)
    try:
        yield platform
    except DomainError as error:
        # markup=False: the message may echo the operator's text ("[/x]" is no markup)
        console.print(f"{type(error).__name__}: {error}", style="red", markup=False)
        raise typer.Exit(1) from None
    finally:
        platform.close()
        if server:
            server.stop()


def _registry(platform: Platform) -> PartnerRegistry:
    from services.partners import PLATFORM_LOG, PartnerRegistry

    return platform.hall_app(PartnerRegistry, PLATFORM_LOG)


@partners_app.command()
def register(
    partner: Annotated[str, typer.Argument(help="Partner id: lowercase slug, e.g. tax-bureau.")],
    name: Annotated[str, typer.Option(help="The partner's name.")],
    contact: Annotated[str, typer.Option(help="Operational contact (office, mailbox).")] = "",
    actor: Actor = "",
) -> None:
    """Register a partner (platform operators); its topic is yanshen.partner.<id>."""
    from services.relay import partner_topic

    with _platform() as platform:
        position = _registry(platform).register_partner(
            partner, name, contact, actor or _default_actor()
        )
    out.print(
        f"registered partner {partner} (platform log position {position}); "
        f"topic {partner_topic(partner)}"
    )


@partners_app.command()
def grant(
    partner: Annotated[str, typer.Argument(help="The registered partner.")],
    tenant: Annotated[str, typer.Option(help="The hall that grants.")],
    event_type: Annotated[
        list[str],
        typer.Option(
            "--type",
            help="Event type, e.g. queue.TicketIssued, or queue.* (the context's types, also "
            "later ones; repeat).",
        ),
    ],
    personal_data: Annotated[
        bool, typer.Option(help="Deliver personal data fields (else they are null).")
    ] = False,
    start: Annotated[
        Start, typer.Option("--from", help="beginning: backfill the hall's history; now: not.")
    ] = Start.now,
    actor: Actor = "",
) -> None:
    """Grant a partner event types of a hall (or change its grant)."""
    from services.partners import GrantStart, PartnerGrants
    from services.shared import validate_hall_id

    with _platform() as platform:
        hall = validate_hall_id(tenant)
        found = _registry(platform).get_partner(partner)
        result, position = platform.hall_app(PartnerGrants, hall).grant(
            found,
            event_type,
            personal_data,
            GrantStart(start.value.upper()),
            actor or _default_actor(),
        )
    out.print(
        f"hall {hall} granted {partner} {', '.join(result.patterns)}"
        f" ({len(result.event_types)} event type(s) today)"
        f"{' with personal data' if result.personal_data else ''} at position {position}"
    )


@partners_app.command()
def revoke(
    partner: Annotated[str, typer.Argument(help="The partner.")],
    tenant: Annotated[str, typer.Option(help="The hall that revokes.")],
    reason: Annotated[str, typer.Option(help="Why (recorded).")] = "",
    actor: Actor = "",
) -> None:
    """Revoke a partner's grant in a hall: nothing after the revocation reaches it."""
    from services.partners import PartnerGrants
    from services.shared import validate_hall_id

    with _platform() as platform:
        hall = validate_hall_id(tenant)
        _, position = platform.hall_app(PartnerGrants, hall).revoke(
            partner, reason, actor or _default_actor()
        )
    out.print(f"hall {hall} revoked {partner}'s grant at position {position}")


@partners_app.command("list")
def list_(
    tenant: Annotated[str | None, typer.Option(help="Only this hall's grants.")] = None,
) -> None:
    """List the partners and their grants per hall."""
    from services.halls import require_registered_hall
    from services.partners import PartnerGrants
    from services.partners.history import list_grants, list_partners
    from services.shared import validate_hall_id

    with _platform() as platform:
        pool = platform.worker_pool
        partners = list_partners(pool)
        if tenant:
            # a misspelt hall is refused, not listed as one where no partner has a grant
            require_registered_hall(platform.hall_app(PartnerGrants, validate_hall_id(tenant)))
            halls = [tenant]
        else:
            with pool.connection() as conn:
                rows = conn.execute("SELECT tenant_id FROM tenant_heads ORDER BY 1").fetchall()
            halls = [str(r[0]) for r in rows]
        grants = list_grants(pool, [p.partner_id for p in partners], halls)
    # One line per grant, tab-separated: readable, and easy to cut/grep in scripts.
    typer.echo(
        "partner\thall\tstate\tpersonal_data\tsince_position\tevent_types\tnot_delivered\tname"
    )
    withheld: set[str] = set()
    for p in partners:
        own = [g for g in grants if g.partner_id == p.partner_id]
        if not own:
            typer.echo(f"{p.partner_id}\t-\tno grant\t-\t-\t-\t-\t{p.name}")
        for g in own:
            withheld.update(g.withheld)
            typer.echo(
                f"{p.partner_id}\t{g.hall_id}\t{'active' if g.active else 'revoked'}\t"
                f"{'yes' if g.personal_data else 'no'}\t{g.position}\t"
                f"{','.join(g.patterns)}\t{','.join(g.withheld) or '-'}\t{p.name}"
            )
    if withheld:  # the grant names them as given, but they are not sent
        console.print(
            f"not_delivered: {', '.join(sorted(withheld))}: not grantable to partners (any "
            "more, e.g. the audit records, internal to the hall); the relay does not send them",
            markup=False,
        )


@partners_app.command()
def types() -> None:
    """The event types a hall can grant."""
    from services.partners import grantable_event_types

    for name in grantable_event_types():
        out.print(name)


@partners_app.command()
def replay(
    partner: Annotated[str, typer.Argument(help="The partner whose topic gets the history.")],
    tenant: Annotated[str, typer.Option(help="The hall whose history to re-send.")],
    from_position: Annotated[
        int, typer.Option("--from", help="First position of the hall's log to re-send.")
    ] = 1,
) -> None:
    """Re-send a partner what it was sent of a hall's history (same ce_id values).

    Only to a partner with an active grant in the hall, and only what that grant allows now
    (types, personal data). Exit 1 when refused (e.g. GrantNotActiveError, or --from
    beyond the head of the hall's log), 2 when Kafka is not configured or did not
    acknowledge (run it again: re-sends are deduplicated)."""
    from services.relay import KafkaSink, MessageRejectedError, RelayConfig, SinkError
    from services.relay import replay as run_replay

    config = RelayConfig.from_env()
    if not config.bootstrap_servers:
        console.print("[red]KAFKA_BOOTSTRAP_SERVERS is not set[/red]")
        raise typer.Exit(2)
    sink = KafkaSink(config)
    try:
        with _platform() as platform, OperatorProgress(console) as progress:
            task = progress.add_task(f"replay {tenant} → {partner}", total=None)

            def advance(position: int, upto: int) -> None:
                progress.update(task, completed=position, total=upto)

            result = run_replay(
                platform.worker_pool, sink, partner, tenant, from_position, progress=advance
            )
    except SinkError as error:
        what = "refused a message" if isinstance(error, MessageRejectedError) else "unavailable"
        console.print(
            f"replay stopped, Kafka {what}: {error}\n"
            "run it again once Kafka accepts it; partners skip re-sent messages by ce_id",
            style="red",
            markup=False,
        )
        raise typer.Exit(2) from None
    finally:
        sink.close()
    if from_position > result.upto:  # the relay has not delivered that far: nothing to re-send
        out.print(
            f"re-sent 0 message(s): {partner} was sent hall {tenant}'s log up to position "
            f"{result.upto}; the relay delivers what follows"
        )
        return
    out.print(f"re-sent {result.sent} message(s) of positions {from_position}..{result.upto}")
