"""Which version of a projection's code built its live tables (``projection_versions``).

A projection's :attr:`~projections.runtime.projection.Projection.version` is bumped when a
change of its handlers or tables makes rows built by the old code wrong. The database records
the version the live tables were built with:

- the swap of a full rebuild records the rebuilding code's version, in the swap's transaction
  (:func:`record_version`);
- a worker's first look at a read model with no record (:func:`adopt_versions`) records the
  code's version when nothing was ever applied to it (no position above 0, its tables empty:
  a new install, or a read model new in this release), and 1 otherwise: rows written before
  versions were recorded (migration ``projections/runtime/sql/0003``) are version 1.

A rebuild that swaps (``yanshen rebuild``) must not mix versions in the live tables
(:func:`swap_refusal`): a one-hall rebuild runs only with the live version's code, a full
rebuild with older code only as a deliberate downgrade.

``live < code``: the rows are stale, the worker rebuilds the read model online
(:mod:`projections.runtime.upgrade`). ``live > code``: this process runs older code than the
one that built the tables (a rolling upgrade); its live batches leave that read model alone
(:func:`~projections.runtime.tracking.apply_group_batch` reads the versions inside every live
batch, after the projection's batch lock, so a swap that recorded a newer version is seen by
the very next batch).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import psycopg
from prometheus_client import Gauge
from psycopg import sql

from projections.runtime.locks import hold_for_swap
from projections.runtime.projection import Projection

__all__ = [
    "CODE_OUTDATED",
    "PROJECTION_VERSION",
    "REBUILD_PENDING",
    "ProjectionVersion",
    "VersionState",
    "adopt_versions",
    "export_versions",
    "read_versions",
    "record_version",
    "recorded_versions",
    "swap_refusal",
]

PROJECTION_VERSION = Gauge(
    "yanshen_projection_version",
    "Version of a read model: of this process's code (state=code), of its live tables as"
    " recorded in the database (state=live)",
    ["projection", "state"],
)
REBUILD_PENDING = Gauge(
    "yanshen_projection_rebuild_pending",
    "1 while a read model's live tables were built by an older version than this process's"
    " code (its automatic rebuild is due or running)",
    ["projection"],
)
CODE_OUTDATED = Gauge(
    "yanshen_projection_code_outdated",
    "1 when this process's code is older than the version that built a read model's live"
    " tables: it applies no events to that read model",
    ["projection"],
)

_RECORDED = "SELECT projection, version FROM projection_versions WHERE projection = ANY(%s)"
_RECORD = """
INSERT INTO projection_versions (projection, version) VALUES (%s, %s)
ON CONFLICT (projection) DO UPDATE SET version = EXCLUDED.version, recorded_at = now()
"""
_ADOPT = """
INSERT INTO projection_versions (projection, version) VALUES (%s, %s)
ON CONFLICT (projection) DO NOTHING
"""
_APPLIED = "SELECT EXISTS (SELECT FROM consumer_positions WHERE consumer = %s AND position > 0)"
_ADOPT_LOCK_TIMEOUT = "SELECT set_config('lock_timeout', '5s', true)"


class VersionState(StrEnum):
    """Where a read model stands between this process's code and its live tables."""

    CURRENT = "CURRENT"
    """Built by this code's version."""
    REBUILD_PENDING = "REBUILD_PENDING"
    """Built by an older version: the projection worker rebuilds it online; until the swap
    its rows are the older version's."""
    CODE_OLDER_THAN_LIVE = "CODE_OLDER_THAN_LIVE"
    """Built by a newer version than this code: workers running this code apply nothing to
    it (a rolling upgrade, or an old worker left running)."""
    NOT_RECORDED = "NOT_RECORDED"
    """No version recorded yet (``yanshen migrate`` or the projection worker records it)."""


@dataclass(frozen=True)
class ProjectionVersion:
    """A projection's code version against the one its live tables were built with."""

    projection: str
    code: int
    live: int
    """Recorded in ``projection_versions`` (1 when nothing is recorded)."""
    recorded: bool

    @property
    def rebuild_pending(self) -> bool:
        """Rows built by an older version: a rebuild with this code is due."""
        return self.live < self.code

    @property
    def code_outdated(self) -> bool:
        """This code is older than the one that built the live tables."""
        return self.live > self.code

    @property
    def state(self) -> VersionState:
        """The one decision of where the read model stands (``yanshen projections``, the
        platform overview)."""
        if not self.recorded:
            return VersionState.NOT_RECORDED
        if self.rebuild_pending:
            return VersionState.REBUILD_PENDING
        if self.code_outdated:
            return VersionState.CODE_OLDER_THAN_LIVE
        return VersionState.CURRENT


def recorded_versions(conn: psycopg.Connection[Any], names: Iterable[str]) -> dict[str, int]:
    """The recorded version of each of ``names`` that has one."""
    rows = conn.execute(_RECORDED, (sorted(set(names)),)).fetchall()
    return {str(name): int(version) for name, version in rows}


def read_versions(
    conn: psycopg.Connection[Any], projections: Sequence[Projection]
) -> list[ProjectionVersion]:
    """Code and live version of each of ``projections``, in their order."""
    recorded = recorded_versions(conn, (p.name for p in projections))
    return [
        ProjectionVersion(p.name, p.version, recorded.get(p.name, 1), p.name in recorded)
        for p in projections
    ]


def record_version(conn: psycopg.Connection[Any], projection: Projection) -> None:
    """Record that ``projection``'s live tables are built by its code's version (owner; in
    the transaction that swaps them in)."""
    conn.execute(_RECORD, (projection.name, projection.version))


def _never_applied(conn: psycopg.Connection[Any], projection: Projection) -> bool:
    row = conn.execute(_APPLIED, (projection.consumer,)).fetchone()
    if row and row[0]:
        return False
    for table in projection.tables:
        found = conn.execute(
            sql.SQL("SELECT EXISTS (SELECT FROM {})").format(sql.Identifier(table))
        ).fetchone()
        if found and found[0]:
            return False
    return True


def adopt_versions(
    conn: psycopg.Connection[Any], projections: Sequence[Projection]
) -> list[ProjectionVersion]:
    """Record a version for each of ``projections`` that has none, then read them all.

    A read model nothing was ever applied to gets its code's version (a new install never
    rebuilds); one with rows gets 1 (built before versions were recorded). Each is decided
    under the projection's exclusive batch lock (:func:`~projections.runtime.locks.hold_for_swap`,
    waiting at most 5 s for running batches), so no batch applies events between the look and
    the record. ``conn``: a worker or owner connection in autocommit mode.
    """
    known = recorded_versions(conn, (p.name for p in projections))
    for projection in projections:
        if projection.name in known or not projection.tables:
            continue
        with conn.transaction():
            conn.execute(_ADOPT_LOCK_TIMEOUT)
            hold_for_swap(conn, projection.name)
            fresh = _never_applied(conn, projection)
            version = projection.version if fresh else 1
            conn.execute(_ADOPT, (projection.name, version))
    return read_versions(conn, projections)


def export_versions(versions: Iterable[ProjectionVersion]) -> None:
    """Set the version gauges of ``versions`` (the code's, the live tables', pending)."""
    for version in versions:
        PROJECTION_VERSION.labels(version.projection, "code").set(version.code)
        PROJECTION_VERSION.labels(version.projection, "live").set(version.live)
        REBUILD_PENDING.labels(version.projection).set(1 if version.rebuild_pending else 0)


def swap_refusal(
    versions: Iterable[ProjectionVersion], *, tenant: str | None, downgrade: bool = False
) -> str | None:
    """Why a rebuild with this code must not swap into the live tables of ``versions``, with
    what to run instead; ``None`` when it may.

    - One hall (``tenant``): only with the code of the live version. Older code would write
      old rows into tables a newer version built, which nothing corrects later; newer code
      would mix one hall of new rows (perhaps of changed tables) into the old version's
      tables, which the full rebuild redoes anyway.
    - All halls: newer code is the upgrade itself (it records its version). Older code would
      replace newer tables and record a lower version: only with ``downgrade`` (rolling back
      a release).
    """
    for v in versions:
        if v.live == v.code or (tenant is None and (v.live < v.code or downgrade)):
            continue
        built = f"{v.projection}: its live tables were built by version {v.live},"
        if v.live < v.code:
            return (
                f"{built} this code is version {v.code}: a one-hall rebuild would mix"
                f" version-{v.code} rows into version-{v.live} tables; rebuild the whole read"
                f" model instead (`yanshen rebuild {v.projection}`, or let the projection"
                " worker do it)"
            )
        what = f"yanshen rebuild {v.projection}" + (f" --tenant {tenant}" if tenant else "")
        return (
            f"{built} this code is older (version {v.code}): its rows would be wrong in them;"
            f" run `{what}` of the release that built them (version {v.live})"
            + (
                ""
                if tenant
                else ", or add --downgrade when rolling back to this release (stop the newer"
                " workers first: they would rebuild it again)"
            )
        )
    return None
