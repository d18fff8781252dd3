"""Sweeping what rebuilds that no longer run left behind.

A rebuild cleans up after itself, but a rebuild killed with ``kill -9`` (or whose machine
died, or whose clean-up failed) leaves its shadow schema ``yanshen_rebuild_<name>`` and its
positions (consumer ``projection:<name>@rebuild``). The shadow holds copies of the read
model's rows, personal data included, and an erasure after the rebuild died never reaches
them. :func:`sweep_stale_rebuilds` drops them; projection workers call it at their start and
every :attr:`~projections.runtime.worker.ProjectionWorker.sweep_interval` seconds, and every
rebuild at its start.

A rebuild holds its projections' session advisory locks
(:func:`~projections.runtime.locks.try_hold_for_rebuild`) from its start until it has
cleaned up: what belongs to a projection whose lock is free is stale. The sweep only tries
the locks, so it never waits for a running rebuild and never touches what one is building.
It runs in the database (``yanshen_sweep_rebuilds()``, ``projections/runtime/sql/``,
security definer), so the worker role can call it.

The same sweep drops audit replay schemas (``yanshen replay``, ``yanshen_replay_<hall>``),
copies of a hall's read models too (:func:`sweep_stale_replays`, ``yanshen_sweep_replays()``):
a replay's schema whose replay no longer runs (its session lock is free) and is not kept, and
a kept one (``--keep``) once it has expired or an erasure in its hall came after the replay
began. :func:`sweep_stale_rebuilds` sweeps them as well, so every caller of it (workers at
their start and every ``sweep_interval``, rebuilds at their start) sweeps both.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Literal, cast

import psycopg

__all__ = ["RebuildLeftovers", "ReplayLeftovers", "sweep_stale_rebuilds", "sweep_stale_replays"]

log = logging.getLogger(__name__)

_SWEEP = "SELECT projection, outcome, shadow, positions FROM yanshen_sweep_rebuilds()"
_SWEEP_REPLAYS = "SELECT schema_name, tenant_id, outcome FROM yanshen_sweep_replays()"

Outcome = Literal["removed", "running", "busy"]
ReplayOutcome = Literal["removed", "running", "busy", "kept"]


@dataclass(frozen=True)
class RebuildLeftovers:
    """What one projection's rebuild has in the database, and what the sweep did with it."""

    projection: str
    outcome: Outcome
    """``removed``: the rebuild was not running, its leftovers are gone; ``running``: a
    rebuild holds the projection's lock, nothing was touched; ``busy``: not running, but a
    session (an orphaned rebuild process's last batch) held the shadow's tables or positions
    for longer than the sweep waits (0.2 s): left to the next sweep."""
    shadow: bool
    """The shadow schema existed."""
    positions: int
    """The rebuild's position rows (one per hall it had reached)."""


@dataclass(frozen=True)
class ReplayLeftovers:
    """One audit replay schema, and what the sweep did with it."""

    schema: str
    tenant_id: str | None
    """The hall, from the schema's mark (``None``: no readable mark, e.g. an older replay's)."""
    outcome: ReplayOutcome
    """``removed``: dropped (its replay was not running, and it was not kept or no longer may
    be); ``running``: a replay holds its lock, untouched; ``kept``: kept by a finished replay,
    not expired, and no erasure in its hall since the replay began; ``busy``: to be dropped,
    but a session held its tables longer than the sweep waits (0.2 s): the next sweep."""


def sweep_stale_replays(conn: psycopg.Connection[Any]) -> list[ReplayLeftovers]:
    """Drop the ``yanshen_replay_*`` schemas of replays that are not running, unless kept (and
    not expired, and no erasure in the hall since); returns every replay schema found.

    ``conn`` as for :func:`sweep_stale_rebuilds`. Never waits for a running replay.
    """
    found = [
        ReplayLeftovers(
            str(schema), None if tenant is None else str(tenant), cast(ReplayOutcome, outcome)
        )
        for schema, tenant, outcome in conn.execute(_SWEEP_REPLAYS).fetchall()
    ]
    for leftovers in found:
        if leftovers.outcome == "removed":
            log.warning("removed the audit replay schema %s", leftovers.schema)
        elif leftovers.outcome == "busy":
            log.warning(
                "the audit replay schema %s is to be removed but still in use: left to the"
                " next sweep",
                leftovers.schema,
            )
    return found


def sweep_stale_rebuilds(conn: psycopg.Connection[Any]) -> list[RebuildLeftovers]:
    """Drop the shadow schemas and ``…@rebuild`` positions of rebuilds that are not running;
    returns what was found, per projection (running rebuilds' included, untouched). Then
    sweeps audit replay schemas too (:func:`sweep_stale_replays`, not in the result).

    ``conn``: an owner or worker connection in autocommit mode (or the caller commits: the
    drops, and the locks that keep rebuilds of those projections from starting meanwhile,
    last until the transaction ends). Never waits for a running rebuild.
    """
    rows = conn.execute(_SWEEP).fetchall()
    found = [
        RebuildLeftovers(str(name), cast(Outcome, outcome), bool(shadow), int(positions))
        for name, outcome, shadow, positions in rows
    ]
    for leftovers in found:
        what = ", ".join(
            (["its shadow schema"] if leftovers.shadow else [])
            + ([f"{leftovers.positions} position(s)"] if leftovers.positions else [])
        )
        if leftovers.outcome == "removed":
            log.warning(
                "removed what an interrupted rebuild of %s left: %s", leftovers.projection, what
            )
        elif leftovers.outcome == "busy":
            log.warning(
                "an interrupted rebuild of %s left %s, still in use: left to the next sweep",
                leftovers.projection,
                what,
            )
    sweep_stale_replays(conn)
    return found
