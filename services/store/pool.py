"""Connection pools that take the store's database roles.

``open_pool(url, "app")`` gives connections acting as ``yanshen_app`` (row-level security,
one hall per transaction); ``"worker"`` as ``yanshen_worker`` (platform-wide relay and
projections); ``"admin"`` keeps the login user (migrations, operations). The role is taken
with ``SET ROLE`` in the pool's ``configure`` callback, so the login user must be a member of
the roles (``migrate`` grants them to the user that runs it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, TypeAlias

import psycopg
import psycopg_pool

__all__ = ["ROLES", "Pool", "Role", "open_pool"]

Role: TypeAlias = Literal["app", "worker", "admin"]
Pool: TypeAlias = psycopg_pool.ConnectionPool[psycopg.Connection[Any]]

ROLES: dict[str, str | None] = {
    "app": "yanshen_app",
    "worker": "yanshen_worker",
    "admin": None,
}
"""Pool role → the PostgreSQL role it takes (``None``: the login user itself)."""


def _configure(db_role: str | None) -> Callable[[psycopg.Connection[Any]], None]:
    statement = f"SET ROLE {db_role}" if db_role else None

    def configure(conn: psycopg.Connection[Any]) -> None:
        conn.autocommit = True
        if statement:
            conn.execute(statement)

    return configure


def open_pool(
    database_url: str,
    role: Role,
    *,
    min_size: int = 1,
    max_size: int = 10,
) -> Pool:
    """Open a pool whose connections act as ``role`` (autocommit; transactions explicit)."""
    if role not in ROLES:
        raise ValueError(f"unknown pool role {role!r}; expected one of {sorted(ROLES)}")
    pool: Pool = psycopg_pool.ConnectionPool(
        database_url,
        min_size=min_size,
        max_size=max_size,
        configure=_configure(ROLES[role]),
        name=f"yanshen-{role}",
        open=False,
    )
    pool.open(wait=True, timeout=30.0)
    return pool
