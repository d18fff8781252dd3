"""Migrations are idempotent and guarded; consumers find the halls that moved past them."""

from __future__ import annotations

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError
from psycopg import sql

from deploy.embedded_pg import ensure_database
from services.store import (
    EventStore,
    MigrationError,
    migrate,
    migrations_current,
    record_consumer_position,
)
from services.store.pool import Pool
from tests.integration.store.domain import Tickets


def test_migrate_twice_is_a_no_op(database_url: str) -> None:
    assert migrate(database_url) == []
    assert migrations_current(database_url)


def test_changed_applied_migration_is_refused(database_url: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        (checksum,) = conn.execute(
            "SELECT checksum FROM schema_migrations WHERE source = 'store' AND version = 2"
        ).fetchone() or ("",)
        conn.execute(
            "UPDATE schema_migrations SET checksum = 'changed' "
            "WHERE source = 'store' AND version = 2"
        )
        try:
            assert not migrations_current(database_url)
            with pytest.raises(MigrationError, match=r"0002_event_store\.sql was changed"):
                migrate(database_url)
        finally:
            conn.execute(
                "UPDATE schema_migrations SET checksum = %s WHERE source = 'store' AND version = 2",
                (checksum,),
            )
    assert migrations_current(database_url)


def test_migrations_not_current_on_an_empty_database(
    admin_database_url: str, worker_id: str
) -> None:
    name = f"yanshen_test_empty_{worker_id}"
    url = ensure_database(admin_database_url, name)
    try:
        assert not migrations_current(url)
    finally:
        with psycopg.connect(admin_database_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def _record(
    pool: Pool, consumer: str, tenant_id: str, position: int, *, fail: bool = False
) -> None:
    with pool.connection() as conn, conn.transaction():
        record_consumer_position(conn, consumer, tenant_id, position)
        if fail:
            raise RuntimeError("projection failed")


def test_pending_tenants_and_consumer_positions(
    event_store: EventStore, worker_pool: Pool, tenant_id: str
) -> None:
    consumer = f"test-relay-{tenant_id}"
    platform = EventStore(worker_pool)
    app = event_store.application(Tickets, tenant_id)
    app.issue("A001")
    app.issue("A002")
    assert (tenant_id, 2) in platform.pending_tenants(consumer)
    # The app role sees no hall there (no tenant set): it is the workers' view.
    assert event_store.pending_tenants(consumer) == []

    with worker_pool.connection() as conn, conn.transaction():
        record_consumer_position(conn, consumer, tenant_id, 2)
    assert tenant_id not in dict(platform.pending_tenants(consumer))

    with pytest.raises(IntegrityError, match="does not move forward"):
        _record(worker_pool, consumer, tenant_id, 2)

    app.issue("A003")
    assert (tenant_id, 3) in platform.pending_tenants(consumer)


def test_consumer_position_rolls_back_with_the_callers_writes(
    event_store: EventStore, worker_pool: Pool, tenant_id: str
) -> None:
    consumer = f"test-projection-{tenant_id}"
    event_store.application(Tickets, tenant_id).issue("A001")
    platform = EventStore(worker_pool)
    with pytest.raises(RuntimeError, match="projection failed"):
        _record(worker_pool, consumer, tenant_id, 1, fail=True)
    assert (tenant_id, 1) in platform.pending_tenants(consumer)
