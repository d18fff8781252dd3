"""A hall ready for its day: two queues, three open windows, a staff member signed in at each.

=======  ==========  ============================
window   staff       queues served (in order)
=======  ==========  ============================
W1       S1          ZH (prefix A), BD (prefix B)
W2       S2          BD
W3       S3          ZH
=======  ==========  ============================
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from services.catalog import CatalogService
from services.catalog.application import ItemTerms
from services.halls import HallPolicies, HallRegistry
from services.places import PlacesService
from services.queue import QueueService
from services.staff import StaffService
from tests.unit.queue.support import Clock

WINDOWS = {"W1": ("S1", ["ZH", "BD"]), "W2": ("S2", ["BD"]), "W3": ("S3", ["ZH"])}


@dataclass
class Hall:
    registry: HallRegistry
    places: PlacesService
    staff: StaffService
    queue: QueueService
    clock: Clock

    def policies(self, **values: Any) -> None:
        self.registry.change_policies(HallPolicies(**values), "admin")

    def issue(self, queue_code: str = "ZH", minutes: float = 1, **kw: Any) -> Any:
        """Issue a kiosk ticket ``minutes`` after the previous command."""
        self.clock.advance(minutes=minutes)
        return self.queue.issue_ticket(queue_code, kw.pop("channel", "KIOSK"), "kiosk-1", **kw)

    def call(self, window: str) -> Any:
        self.clock.advance(minutes=1)
        badge = WINDOWS[window][0]
        return self.queue.call_next(window, badge, badge)

    def line(self, queue_code: str) -> list[str]:
        day = self.queue.get_day(queue_code)
        return [t.display_number for t in day.waiting()] if day else []


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def hall(hall_apps, clock) -> Hall:
    registry = hall_apps(HallRegistry, "h1")
    registry.register_hall("一号大厅", "苏州", "op")
    hall_apps(CatalogService, "h1").publish_service_item(
        "X1", ItemTerms(name="综合受理", category="OTHER"), "admin"
    )
    queue = hall_apps(QueueService, "h1")
    queue.configure_queue("ZH", "综合受理", "A", ["X1"], "admin")
    queue.configure_queue("BD", "帮办代办", "B", [], "admin")
    places = hall_apps(PlacesService, "h1")
    staff = hall_apps(StaffService, "h1")
    for app in (queue, places, staff):
        app.clock = clock
    for window, (badge, queues) in WINDOWS.items():
        places.configure_window(
            window, f"窗口{window}", "COMPREHENSIVE", [], "admin", queue_codes=queues
        )
        places.open_window(window, "admin")
        staff.onboard_staff(badge, f"员工{badge}", "WINDOW_STAFF", [], "admin")
        staff.assign_to_window(badge, window, "A", "admin")
        staff.sign_in(badge, window, badge)
    return Hall(registry, places, staff, queue, clock)
