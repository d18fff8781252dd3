"""What each hall has set up: its staff roster, service places, queues and windows
(projection and queries)."""

from projections.hall_setup.projection import HallSetupProjection
from projections.hall_setup.view import (
    PlaceRow,
    QueueRow,
    StaffFilter,
    StaffRow,
    WindowRow,
    list_places,
    list_queues,
    list_staff,
    list_windows,
)

__all__ = [
    "HallSetupProjection",
    "PlaceRow",
    "QueueRow",
    "StaffFilter",
    "StaffRow",
    "WindowRow",
    "list_places",
    "list_queues",
    "list_staff",
    "list_windows",
]
