"""The composition root: builds the platform's parts from settings (no I/O at import)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TypeVar

import psycopg
from psycopg_pool import ConnectionPool

from deploy.embedded_pg import EmbeddedPostgres, ensure_database
from deploy.settings import Settings
from projections.cases import CaseRegisterProjection
from projections.catalog import CatalogProjection
from projections.complaints import ComplaintRegisterProjection
from projections.evaluations import EvaluationRatingsProjection
from projections.hall_setup import HallSetupProjection
from projections.halls import HallsProjection
from projections.platform import DeadlinesProjection, PlatformProjection
from projections.queue_board import QueueBoardProjection
from projections.rectifications import RectificationLedgerProjection
from projections.runtime import Projection, ProjectionOptions, ProjectionWorker, adopt_versions
from projections.worklist import WorklistProjection
from services.holidays import RecordedCalendars
from services.relay import StreamRelay
from services.shared.application import HallApplication
from services.store import EventStore, migrate, open_pool

__all__ = ["Platform", "all_projections", "read_models", "resolve_database_url"]

log = logging.getLogger(__name__)

A = TypeVar("A", bound=HallApplication)


def all_projections() -> list[Projection]:
    """Every projection the worker runs."""
    return [
        HallsProjection(),
        CatalogProjection(),
        PlatformProjection(),
        DeadlinesProjection(),
        CaseRegisterProjection(),
        ComplaintRegisterProjection(),
        EvaluationRatingsProjection(),
        RectificationLedgerProjection(),
        QueueBoardProjection(),
        WorklistProjection(),
        HallSetupProjection(),
    ]


def read_models() -> list[Projection]:
    """The projections with tables of their own: those whose versions are recorded
    (``projection_versions``; ``yanshen projections``, the platform overview)."""
    return [p for p in all_projections() if p.tables]


def resolve_database_url(settings: Settings) -> tuple[str, EmbeddedPostgres | None]:
    """``DATABASE_URL`` when set; otherwise start the embedded PostgreSQL under the data dir."""
    if settings.database_url:
        return settings.database_url, None
    server = EmbeddedPostgres(settings.data_dir / "pg", cleanup="stop")
    admin_url = server.start()
    return ensure_database(admin_url, "yanshen"), server


def migrate_platform(database_url: str) -> list[str]:
    """Apply pending migrations (``services.store.migrate``), then record the version of
    each read model that has none (:func:`~projections.runtime.adopt_versions`): a new
    install is current from its first migration on, whatever runs first (a worker, or a
    ``yanshen rebuild --tenant``), and a database from before versions were recorded is
    marked as built by version 1. Returns the labels of the migrations applied."""
    applied = migrate(database_url)
    with psycopg.connect(database_url, autocommit=True) as conn:
        adopt_versions(conn, all_projections())
    return applied


@dataclass
class Platform:
    """Everything a process needs, sharing one pool per role (never a pool per hall)."""

    settings: Settings
    database_url: str = field(repr=False)  # may hold the password
    app_pool: ConnectionPool
    worker_pool: ConnectionPool
    store: EventStore = field(init=False)
    calendars: RecordedCalendars = field(init=False)
    """The working-day calendar with the recorded holiday schedules, for every hall
    application of the process (a new schedule applies from the next command on)."""

    def __post_init__(self) -> None:
        self.store = EventStore(self.app_pool)
        self.calendars = RecordedCalendars(self.app_pool)

    @classmethod
    def open(
        cls, settings: Settings, database_url: str, *, run_migrations: bool = True
    ) -> Platform:
        if run_migrations:
            applied = migrate_platform(database_url)
            if applied:
                log.info("migrations applied: %s", ", ".join(applied))
        return cls(
            settings=settings,
            database_url=database_url,
            app_pool=open_pool(database_url, "app", max_size=10),
            worker_pool=open_pool(database_url, "worker", max_size=4),
        )

    def hall_app(self, app_cls: type[A], hall_id: str) -> A:
        """The application ``app_cls`` bound to ``hall_id`` (created once, then cached)."""
        app = self.store.application(app_cls, hall_id)
        app.hall_id = hall_id
        app.calendars = self.calendars
        return app

    def read_models(self) -> list[Projection]:
        """The platform's read models (:func:`read_models`): for the gateway's overview,
        which must not import this module (the entrypoints build on the gateway)."""
        return read_models()

    def projection_worker(self) -> ProjectionWorker:
        """The projection worker, with the owner's URL for its automatic rebuilds after an
        upgrade (:mod:`projections.runtime.upgrade`)."""
        return ProjectionWorker(
            self.worker_pool,
            all_projections(),
            database_url=self.database_url,
            **ProjectionOptions.from_env().kwargs(),
        )

    def stream_relay(self) -> StreamRelay:
        return StreamRelay(self.worker_pool, self.settings.kafka_bootstrap_servers)

    def close(self) -> None:
        self.app_pool.close()
        self.worker_pool.close()
