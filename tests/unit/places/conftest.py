"""A registered hall with a catalog item and a queue, and a clock the tests move."""

from __future__ import annotations

import pytest

from services.catalog import CatalogService
from services.catalog.application import ItemTerms
from services.halls import HallRegistry
from services.places import PlacesService
from services.queue import QueueService
from tests.unit.queue.support import Clock


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def hall(hall_apps):
    hall_apps(HallRegistry, "h1").register_hall("一号大厅", "苏州", "op")
    hall_apps(CatalogService, "h1").publish_service_item(
        "X1", ItemTerms(name="综合受理", category="OTHER"), "admin"
    )
    hall_apps(QueueService, "h1").configure_queue("ZH", "综合受理", "A", ["X1"], "admin")
    return "h1"


@pytest.fixture
def places(hall_apps, hall, clock):
    app = hall_apps(PlacesService, hall)
    app.clock = clock
    return app
