"""A database of the code before store migration 0012 (the audit trail's read model in use,
its version recorded) upgrades: ``migrate`` drops the read model and its bookkeeping, and the
trail answers from the log, which the new indexes cover, earlier events included."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from psycopg import sql

from deploy.embedded_pg import ensure_database
from services.audit.trail import AuditTrailFilter, audit_trail
from services.halls import HallRegistry
from services.store import open_pool
from tests.integration.projections.support import open_platform

store_migrate = importlib.import_module("services.store.migrate")
NEW = "store/0012_audit_trail_from_the_log.sql"
HALL = "trail-up"


@pytest.fixture
def before_0012(admin_database_url: str, worker_id: str) -> Iterator[str]:
    name = f"yanshen_test_trail_upgrade_{worker_id}"
    with psycopg.connect(admin_database_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
    url = ensure_database(admin_database_url, name)
    everything = store_migrate.collect_migrations
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(
            store_migrate, "collect_migrations", lambda: [m for m in everything() if m.label != NEW]
        )
        assert NEW not in store_migrate.migrate(url)
    yield url
    with psycopg.connect(admin_database_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


_OLD = """
CREATE TABLE audit_trail (tenant_id text, position bigint, PRIMARY KEY (tenant_id, position));
CREATE TABLE audit_trail_records (tenant_id text, aggregate_id text);
CREATE SCHEMA yanshen_rebuild_audit_trail;
INSERT INTO schema_migrations (source, version, name, checksum)
VALUES ('projections.audit_trail', 1, 'audit_trail', 'old');
INSERT INTO projection_versions (projection, version) VALUES ('audit_trail', 1), ('halls', 1);
INSERT INTO consumer_positions (consumer, tenant_id, position)
VALUES ('projection:audit_trail', 'trail-up', 1), ('projection:audit_trail@rebuild', 'trail-up', 1),
       ('projection:halls', 'trail-up', 1);
INSERT INTO consumer_leases (consumer, tenant_id, worker_id, expires_at)
VALUES ('projection:audit_trail', 'trail-up', 'w', now());
"""

_LEFT = """
SELECT 'table ' || relname FROM pg_class WHERE relname IN ('audit_trail', 'audit_trail_records')
  AND relkind <> 'v'
UNION ALL SELECT 'schema ' || nspname FROM pg_namespace WHERE nspname LIKE '%audit_trail'
UNION ALL SELECT 'migration ' || source FROM schema_migrations WHERE source LIKE '%audit_trail'
UNION ALL SELECT 'version ' || projection FROM projection_versions
UNION ALL SELECT 'position ' || consumer FROM consumer_positions
UNION ALL SELECT 'lease ' || consumer FROM consumer_leases
"""


def _left(url: str) -> list[Any]:
    with psycopg.connect(url) as conn:  # the owner (a superuser here): every hall's rows
        return sorted(row[0] for row in conn.execute(_LEFT))


def test_the_read_model_goes_and_the_trail_reads_the_log(before_0012: str) -> None:
    url = before_0012
    platform = open_platform(url)
    try:
        platform.hall_app(HallRegistry, HALL).register_hall("升级大厅", "苏州", "op")
    finally:
        platform.close()
    with psycopg.connect(url) as conn:
        conn.execute(_OLD)
    assert len(_left(url)) == 10

    assert store_migrate.migrate(url) == [NEW]

    assert _left(url) == ["position projection:halls", "version halls"]
    pool = open_pool(url, "app", max_size=1)
    try:
        (entry,) = audit_trail(pool, HALL, AuditTrailFilter(actor="op"), before=None, limit=5)
        assert (entry.event_type, entry.position) == ("halls.HallRegistered", 1)
    finally:
        pool.close()
