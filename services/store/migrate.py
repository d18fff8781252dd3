"""Versioned, idempotent schema migrations (``yanshen migrate``).

SQL files named ``NNNN_name.sql`` are collected from ``services/store/sql/`` first, then from
``projections/<package>/sql/`` (packages in name order), each source in version order. Applied
files are recorded in ``schema_migrations(source, version, name, checksum, applied_at)``; a
second run applies nothing, and a changed checksum of an applied file is refused.

Projection SQL files must grant on their own tables to the application roles themselves, e.g.
``GRANT SELECT, INSERT, UPDATE, DELETE ON my_view TO yanshen_worker;`` and
``GRANT SELECT ON my_view TO yanshen_app;``, and should enable row-level security keyed on
``current_setting('yanshen.tenant_id', true)`` like ``services/store/sql/0002_event_store.sql``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import psycopg

__all__ = [
    "Migration",
    "MigrationError",
    "collect_migrations",
    "migrate",
    "migrations_current",
]

STORE_SQL = Path(__file__).resolve().parent / "sql"
PROJECTIONS = Path(__file__).resolve().parents[2] / "projections"
_FILE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql\Z")
_LOCK_KEY = 0x59414E5348454E  # "YANSHEN": serialises concurrent migrate calls per database

_CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    source     text NOT NULL,
    version    integer NOT NULL,
    name       text NOT NULL,
    checksum   text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source, version)
)
"""


class MigrationError(RuntimeError):
    """A migration file is malformed, or an applied file was changed afterwards."""


@dataclass(frozen=True)
class Migration:
    """One versioned SQL file."""

    source: str
    """``store`` or ``projections.<package>``."""
    version: int
    name: str
    path: Path

    @property
    def sql(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()

    @property
    def label(self) -> str:
        return f"{self.source}/{self.path.name}"


def _scan(source: str, folder: Path) -> list[Migration]:
    found: dict[int, Migration] = {}
    for path in sorted(folder.glob("*.sql")):
        match = _FILE.match(path.name)
        if match is None:
            raise MigrationError(f"{path}: migration files are named NNNN_name.sql")
        version = int(match.group(1))
        if version in found:
            raise MigrationError(f"{path}: version {version} of {source} appears twice")
        found[version] = Migration(source, version, match.group(2), path)
    return [found[v] for v in sorted(found)]


def collect_migrations(projections_root: Path = PROJECTIONS) -> list[Migration]:
    """Every migration in the order it is applied: the store first, then projections."""
    migrations = _scan("store", STORE_SQL)
    if projections_root.is_dir():
        for package in sorted(p for p in projections_root.iterdir() if (p / "sql").is_dir()):
            migrations += _scan(f"projections.{package.name}", package / "sql")
    return migrations


def _applied(conn: psycopg.Connection[tuple[object, ...]]) -> dict[tuple[str, int], str]:
    rows = conn.execute("SELECT source, version, checksum FROM schema_migrations").fetchall()
    return {(str(s), int(str(v))): str(c) for s, v, c in rows}


def _check_unchanged(migrations: list[Migration], applied: dict[tuple[str, int], str]) -> None:
    for m in migrations:
        recorded = applied.get((m.source, m.version))
        if recorded is not None and recorded != m.checksum:
            raise MigrationError(
                f"{m.label} was changed after it was applied (checksum {m.checksum[:12]}, "
                f"recorded {recorded[:12]}); add a new migration file instead"
            )


def migrate(database_url: str) -> list[str]:
    """Apply pending migrations as the owner connection ``database_url``; return their labels.

    All pending files are applied in one transaction under ``pg_advisory_xact_lock``, so
    concurrent calls serialise and a failure applies nothing.
    """
    migrations = collect_migrations()
    done: list[str] = []
    with psycopg.connect(database_url, autocommit=True) as conn, conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
        conn.execute(_CREATE_TABLE)
        applied = _applied(conn)
        _check_unchanged(migrations, applied)
        for m in migrations:
            if (m.source, m.version) in applied:
                continue
            conn.execute(m.sql.encode())
            conn.execute(
                "INSERT INTO schema_migrations (source, version, name, checksum) "
                "VALUES (%s, %s, %s, %s)",
                (m.source, m.version, m.name, m.checksum),
            )
            done.append(m.label)
    return done


def migrations_current(database_url: str) -> bool:
    """True when every migration file is applied unchanged (for readiness checks)."""
    migrations = collect_migrations()
    try:
        with psycopg.connect(database_url, autocommit=True) as conn:
            applied = _applied(conn)
    except psycopg.Error:
        return False
    return all(applied.get((m.source, m.version)) == m.checksum for m in migrations)
