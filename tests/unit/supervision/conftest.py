"""Fixtures of the supervision tests: a registered hall with its windows and staff, an
injected clock, the services."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from services.catalog import CatalogService
from services.catalog.application import ItemTerms
from services.halls import HallRegistry
from services.places import PlacesService
from services.rectifications import RectificationService
from services.shared.working_days import CHINA_TZ
from services.staff import StaffService
from services.supervision import SupervisionService


class Clock:
    """A clock the tests move by hand; starts on Wednesday 2026-09-30, 10:00 in Beijing."""

    def __init__(self) -> None:
        self.now = datetime(2026, 9, 30, 10, tzinfo=CHINA_TZ)

    def __call__(self) -> datetime:
        return self.now

    def set(self, year: int, month: int, day: int, hour: int = 10) -> None:
        self.now = datetime(year, month, day, hour, tzinfo=CHINA_TZ)

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


WINDOWS = ("W01", "W02", "W03", "W04", "W05")
STAFF = ("S001", "S002")
ITEMS = ("BDB-001",)


@pytest.fixture
def hall(hall_apps) -> str:
    """Hall ``h1`` with the windows, staff and items the supervision tests point at."""
    hall_apps(HallRegistry, "h1").register_hall("一号大厅", "苏州", "op")
    for code in ITEMS:
        terms = ItemTerms(name="帮办代办", category="ASSISTANCE")
        hall_apps(CatalogService, "h1").publish_service_item(code, terms, "admin")
    for code in WINDOWS:
        hall_apps(PlacesService, "h1").configure_window(
            code, f"窗口{code}", "COMPREHENSIVE", [], "admin"
        )
    for badge in STAFF:
        hall_apps(StaffService, "h1").onboard_staff(
            badge, f"员工{badge}", "WINDOW_STAFF", [], "admin"
        )
    return "h1"


@pytest.fixture
def supervision(hall_apps, hall, clock) -> SupervisionService:
    app = hall_apps(SupervisionService, hall)
    app.clock = clock
    return app


@pytest.fixture
def rectifications(hall_apps, hall, clock) -> RectificationService:
    app = hall_apps(RectificationService, hall)
    app.clock = clock
    return app
