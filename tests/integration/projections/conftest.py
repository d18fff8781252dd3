"""Fixtures of the projection runtime's tests: a database of their own per test module.

Worker processes and rebuilds act on every hall of a database, so these tests do not share
the session database with the others (whose session worker holds leases there).
"""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from deploy.bootstrap import Platform
from tests.fixtures.postgres import fresh_database
from tests.integration.projections.sharing import CONSUMER, SEEN
from tests.integration.projections.support import open_platform


@pytest.fixture(scope="module")
def db_url(admin_database_url: str, worker_id: str, request: pytest.FixtureRequest) -> str:
    module = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")
    return fresh_database(admin_database_url, f"yanshen_test_proj_{module}_{worker_id}")


@pytest.fixture(scope="module")
def own_platform(db_url: str) -> Iterator[Platform]:
    """A platform (pools, applications) on the module's database."""
    platform = open_platform(db_url)
    yield platform
    platform.close()


@pytest.fixture
def recorded(db_url: str) -> Iterator[None]:
    """The table :class:`~tests.integration.projections.sharing.Recording` writes to."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {SEEN} (tenant_id text, position bigint,"
            " PRIMARY KEY (tenant_id, position))"
        )
        conn.execute(f"GRANT SELECT, INSERT ON {SEEN} TO yanshen_worker")
    yield
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(f"DROP TABLE {SEEN}")
        conn.execute("DELETE FROM consumer_positions WHERE consumer = %s", (CONSUMER,))
