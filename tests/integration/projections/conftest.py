"""Fixtures of the projection runtime's tests: a database of their own per test module.

Worker processes and rebuilds act on every hall of a database, so these tests do not share
the session database with the others (whose session worker holds leases there).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from deploy.bootstrap import Platform
from tests.integration.projections.support import fresh_database, open_platform


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
