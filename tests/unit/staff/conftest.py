"""A registered hall with two windows, one onboarded staff member and a clock."""

from __future__ import annotations

import pytest

from services.halls import HallRegistry
from services.places import PlacesService
from services.staff import StaffService
from tests.unit.queue.support import Clock


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def staff(hall_apps, clock):
    hall_apps(HallRegistry, "h1").register_hall("一号大厅", "苏州", "op")
    places = hall_apps(PlacesService, "h1")
    places.configure_window("W1", "综合窗口一", "COMPREHENSIVE", [], "admin")
    places.configure_window("W2", "综合窗口二", "COMPREHENSIVE", [], "admin")
    app = hall_apps(StaffService, "h1")
    app.clock = clock
    app.onboard_staff("S001", "王芳", "WINDOW_STAFF", ["综合受理"], "admin")
    return app
