"""The projection interface: which events a projection reads, its definition checks, and the
default batch handling (in memory, no database)."""

from __future__ import annotations

from functools import singledispatchmethod
from typing import Any

import pytest
from eventsourcing.utils import get_topic

from deploy.bootstrap import all_projections
from projections.catalog import CatalogProjection
from projections.halls import HallsProjection
from projections.platform import DeadlinesProjection, PlatformProjection
from projections.runtime import (
    Batch,
    Projection,
    ProjectionDefinitionError,
    ProjectionOptions,
    handled_topics,
)
from services.catalog.domain import ServiceItem
from services.halls.domain import Hall
from services.rectifications import Rectification


def test_a_projection_reads_only_the_events_it_has_handlers_for():
    topics = CatalogProjection().topics() or set()
    assert {t for t in topics if t.startswith("services.")} == {
        get_topic(ServiceItem.Published),
        get_topic(ServiceItem.Revised),
        get_topic(ServiceItem.Withdrawn),
    }
    assert HallsProjection().topics() == {get_topic(Hall.Registered)}
    assert get_topic(Rectification.Overdue) in DeadlinesProjection().topics()


def test_a_projection_working_on_the_range_in_sql_reads_no_event():
    assert PlatformProjection().topics() == frozenset()


class _Base(ServiceItem.Revised):
    """A subclass of a handled event (e.g. a later version): handled too."""


class _Counting(Projection):
    name = "counting"
    tables = ("counting",)

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, int]] = []

    @singledispatchmethod
    def apply(self, event: Any, conn: Any, tenant_id: str, position: int) -> None:
        """Nothing."""

    @apply.register
    def _(self, event: ServiceItem.Revised, conn: Any, tenant_id: str, position: int) -> None:
        self.seen.append((type(event).__name__, tenant_id, position))


def test_subclasses_of_handled_events_are_read_too():
    assert get_topic(_Base) in handled_topics(_Counting)


def test_the_default_batch_applies_each_decoded_event_in_order():
    class FakeBatch:
        tenant_id = "h1"

        def events(self):
            yield 3, _Base.__new__(_Base)
            yield 5, object()

    projection = _Counting()
    projection.apply_batch(None, FakeBatch())  # type: ignore[arg-type]
    assert projection.seen == [("_Base", "h1", 3)]


def test_a_batch_of_no_topics_reads_nothing():
    batch = Batch(conn=None, tenant_id="h1", after=10, upto=20, topics=frozenset())  # type: ignore[arg-type]
    assert (batch.size, batch.rows(), list(batch.events())) == (10, [], [])


@pytest.mark.parametrize("projection", all_projections(), ids=lambda p: p.name)
def test_every_registered_projection_is_rebuildable(projection):
    projection.check_definition()
    assert projection.schema_sql()


def test_bad_definitions_are_refused():
    class NoTables(Projection):
        name = "no_tables"

    class BadName(Projection):
        name = "Bad-Name"
        tables = ("x",)

    NoTables().check_definition(rebuildable=False)
    with pytest.raises(ProjectionDefinitionError, match="no tables"):
        NoTables().check_definition()
    with pytest.raises(ProjectionDefinitionError, match="bad or missing name"):
        BadName().check_definition()


def test_worker_options_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("YANSHEN_LEASE_TTL", "2.5")
    monkeypatch.setenv("YANSHEN_PROJECTION_BATCH", "7")
    monkeypatch.setenv("YANSHEN_WORKER_ID", "w-1")
    monkeypatch.delenv("YANSHEN_METRICS_PORT", raising=False)
    options = ProjectionOptions.from_env()
    assert (options.lease_ttl, options.batch_size, options.worker_id) == (2.5, 7, "w-1")
    assert options.metrics_port is None
    assert options.poll_interval == 1.0


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("YANSHEN_PROJECTION_BATCH", "0"),
        ("YANSHEN_PROJECTION_BATCH", "-5"),
        ("YANSHEN_LEASE_TTL", "0"),
        ("YANSHEN_POLL_INTERVAL", "-1"),
    ],
)
def test_worker_options_that_would_never_progress_are_refused(monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValueError, match=variable):
        ProjectionOptions.from_env()
