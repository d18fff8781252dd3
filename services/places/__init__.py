"""Places and windows (服务场所、窗口): where a hall serves applicants."""

from services.places.application import PlacesService
from services.places.domain import Window, WindowExistsError, WindowType

__all__ = ["PlacesService", "Window", "WindowExistsError", "WindowType"]
