"""Places and windows (服务场所、窗口): where a hall serves applicants."""

from services.places.application import PlacesService
from services.places.domain import PlaceType, ServicePlace, Window, WindowStatus, WindowType
from services.places.errors import (
    PlacesError,
    ServicePlaceExistsError,
    ServicePlaceNotFoundError,
    WindowAlreadyClosedError,
    WindowAlreadyOpenError,
    WindowChangedError,
    WindowExistsError,
    WindowInUseError,
    WindowNotFoundError,
    WindowNotOpenError,
    WindowNotSuspendedError,
    WindowStateError,
)

__all__ = [
    "PlaceType",
    "PlacesError",
    "PlacesService",
    "ServicePlace",
    "ServicePlaceExistsError",
    "ServicePlaceNotFoundError",
    "Window",
    "WindowAlreadyClosedError",
    "WindowAlreadyOpenError",
    "WindowChangedError",
    "WindowExistsError",
    "WindowInUseError",
    "WindowNotFoundError",
    "WindowNotOpenError",
    "WindowNotSuspendedError",
    "WindowStateError",
    "WindowStatus",
    "WindowType",
]
