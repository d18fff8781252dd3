"""The ``eventsourcing`` library's own conformance suites, run against the tenant recorders.

Each test gets a fresh hall (``tenant_id``), so cases that assume an empty store apply.
"""

from __future__ import annotations

import pytest
from eventsourcing.persistence import AggregateRecorder, ProcessRecorder, TrackingRecorder
from eventsourcing.tests.application import ApplicationTestCase, ExampleApplicationTestCase
from eventsourcing.tests.persistence import (
    AggregateRecorderTestCase,
    ApplicationRecorderTestCase,
    NonInterleavingNotificationIDsBaseCase,
    ProcessRecorderTestCase,
    TrackingRecorderTestCase,
)
from eventsourcing.utils import get_topic

from services.store import EventStore, TenantInfrastructureFactory, TenantSnapshotRecorder
from services.store.factory import factory_env, register_pool
from services.store.recorder import TenantProcessRecorder


class _Hall:
    """Binds each test to the session's event store and a fresh hall."""

    store: EventStore
    tenant: str

    @pytest.fixture(autouse=True)
    def _bind_hall(self, event_store: EventStore, tenant_id: str) -> None:
        self.store = event_store
        self.tenant = tenant_id

    def create_recorder(self) -> TenantProcessRecorder:
        return self.store.recorder(self.tenant)


class TestSnapshotRecorder(_Hall, AggregateRecorderTestCase):
    """The snapshots recorder is the library's aggregate recorder (``insert_events`` → None)."""

    def create_recorder(self) -> AggregateRecorder:  # type: ignore[override]
        return TenantSnapshotRecorder(self.store.pool, self.tenant)


class TestApplicationRecorder(_Hall, ApplicationRecorderTestCase[TenantProcessRecorder]):
    def test_insert_subscribe(self) -> None:
        self.optional_test_insert_subscribe()


class TestTrackingRecorder(_Hall, TrackingRecorderTestCase):
    def create_recorder(self) -> TrackingRecorder:  # type: ignore[override]
        return self.store.recorder(self.tenant)


class TestProcessRecorder(_Hall, ProcessRecorderTestCase):
    def create_recorder(self) -> ProcessRecorder:  # type: ignore[override]
        return self.store.recorder(self.tenant)


class TestNonInterleavingNotificationIds(_Hall, NonInterleavingNotificationIDsBaseCase):
    pass


class _LibraryEnv:
    """Selects the tenant factory through ``os.environ``, as the library's cases construct
    their applications themselves (``BankAccounts(env=…)``, ``Application()``)."""

    @pytest.fixture(autouse=True)
    def _tenant_factory_env(
        self, event_store: EventStore, tenant_id: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        for key, value in factory_env(register_pool(event_store.pool), tenant_id).items():
            monkeypatch.setenv(key, value)


class TestExampleApplication(_LibraryEnv, ExampleApplicationTestCase):
    expected_factory_topic = get_topic(TenantInfrastructureFactory)


class TestApplication(_LibraryEnv, ApplicationTestCase):
    pass


del AggregateRecorderTestCase
del ApplicationRecorderTestCase
del TrackingRecorderTestCase
del ProcessRecorderTestCase
del NonInterleavingNotificationIDsBaseCase
del ExampleApplicationTestCase
del ApplicationTestCase
