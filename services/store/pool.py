"""Connection pools that take the store's database roles.

``open_pool(url, "app")`` gives connections acting as ``yanshen_app`` (row-level security,
one hall per transaction); ``"worker"`` as ``yanshen_worker`` (platform-wide relay and
projections); ``"admin"`` keeps the login user (migrations, operations). The role is taken
with ``SET ROLE`` in the pool's ``configure`` callback, so the login user must be a member of
the roles (``migrate`` grants them to the user that runs it).

Worker connections use TCP keepalives on both ends (:data:`WORKER_KEEPALIVES`; over TCP only,
Unix sockets need none): a worker notices a database it lost the network to, and the
database a worker machine that died, within about half a minute instead of the system's two
hours. (A batch of a frozen worker is ended by its ``transaction_timeout``, see
:mod:`projections.runtime.group`.)
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Literal, TypeAlias

import psycopg
import psycopg_pool
from psycopg.conninfo import conninfo_to_dict

__all__ = ["ROLES", "TIMEOUTS", "Pool", "Role", "open_pool"]

Role: TypeAlias = Literal["app", "worker", "admin"]
Pool: TypeAlias = psycopg_pool.ConnectionPool[psycopg.Connection[Any]]

ROLES: dict[str, str | None] = {
    "app": "yanshen_app",
    "worker": "yanshen_worker",
    "admin": None,
}
"""Pool role → the PostgreSQL role it takes (``None``: the login user itself)."""

TIMEOUTS: dict[str, float] = {"app": 5.0, "worker": 30.0, "admin": 30.0}
"""Pool role → seconds a caller waits for a connection before ``PoolTimeout``. Requests
(``app``) give up soon, so that a client hears "unavailable" while the database is down
instead of hanging (and a stopping server does not wait for them); workers wait longer:
their connections can be busy for a while (index builds of a rebuild) and nobody waits
on them."""
DOWN_TIMEOUT = 1.0
"""Seconds an ``app`` caller waits for a connection once one has timed out and none has
been handed out since (the database is down): the store retries a failed read a few times,
and each retry would otherwise wait the whole timeout again."""

WORKER_KEEPALIVES = {
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 3,
}
"""libpq's keepalive parameters of worker connections (those in the URL win): a silent
server is given up after 10 + 3 × 5 seconds. The server side gets the same values
(``tcp_keepalives_*``)."""


def _configure(
    db_role: str | None, keepalives: bool = False
) -> Callable[[psycopg.Connection[Any]], None]:
    settings = [f"SET ROLE {db_role}"] if db_role else []
    if keepalives:
        settings += [
            f"SET tcp_keepalives_{name} = {WORKER_KEEPALIVES[f'keepalives_{name}']}"
            for name in ("idle", "interval", "count")
        ]
    statement = "; ".join(settings) or None  # one round trip (no parameters: simple query)

    def configure(conn: psycopg.Connection[Any]) -> None:
        conn.autocommit = True
        if statement:
            conn.execute(statement)

    return configure


class _FailFastPool(psycopg_pool.ConnectionPool[psycopg.Connection[Any]]):
    """A pool whose callers wait only :data:`DOWN_TIMEOUT` for a connection while the last
    wait timed out and no connection was handed out since (the pool keeps reconnecting in
    the background; the first connection it gets back ends this)."""

    _down_since: float | None = None

    def getconn(self, timeout: float | None = None) -> psycopg.Connection[Any]:
        if timeout is None and self._down_since is not None:
            timeout = min(self.timeout, DOWN_TIMEOUT)
        try:
            conn = super().getconn(timeout)
        except psycopg_pool.PoolTimeout:
            if self._down_since is None:
                self._down_since = time.monotonic()
            raise
        self._down_since = None
        return conn


def open_pool(
    database_url: str,
    role: Role,
    *,
    min_size: int = 1,
    max_size: int = 10,
    timeout: float | None = None,
) -> Pool:
    """Open a pool whose connections act as ``role`` (autocommit; transactions explicit);
    callers wait ``timeout`` seconds for a connection (default: :data:`TIMEOUTS`)."""
    if role not in ROLES:
        raise ValueError(f"unknown pool role {role!r}; expected one of {sorted(ROLES)}")
    kwargs: dict[str, Any] = {}
    if role == "worker":
        given = conninfo_to_dict(database_url)
        kwargs = {k: v for k, v in WORKER_KEEPALIVES.items() if k not in given}
    cls = _FailFastPool if role == "app" else psycopg_pool.ConnectionPool
    pool: Pool = cls(
        database_url,
        kwargs=kwargs,
        min_size=min_size,
        max_size=max_size,
        configure=_configure(ROLES[role], keepalives=role == "worker"),
        name=f"yanshen-{role}",
        timeout=TIMEOUTS[role] if timeout is None else timeout,
        open=False,
    )
    pool.open(wait=True, timeout=30.0)
    return pool
