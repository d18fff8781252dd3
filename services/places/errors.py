"""Errors of the places context: one base, each with the stable code of its kind."""

from __future__ import annotations

from services.shared.errors import ConflictError, DomainError, NotFoundError

__all__ = [
    "PlacesError",
    "ServicePlaceExistsError",
    "ServicePlaceNotFoundError",
    "WindowAlreadyClosedError",
    "WindowAlreadyOpenError",
    "WindowChangedError",
    "WindowExistsError",
    "WindowInUseError",
    "WindowNotFoundError",
    "WindowNotOpenError",
    "WindowNotSuspendedError",
    "WindowStateError",
]


class PlacesError(DomainError):
    """A command of the places context was refused."""


class ServicePlaceExistsError(PlacesError, ConflictError):
    """A service place with this code is already registered in the hall."""


class ServicePlaceNotFoundError(PlacesError, NotFoundError):
    """No service place with this code in the hall."""


class WindowExistsError(PlacesError, ConflictError):
    """A window with this code is already configured in the hall."""


class WindowNotFoundError(PlacesError, NotFoundError):
    """No window with this code in the hall."""


class WindowStateError(PlacesError, ConflictError):
    """The command is not allowed in the window's current state."""


class WindowAlreadyOpenError(WindowStateError):
    """The window is already open."""


class WindowNotOpenError(WindowStateError):
    """The window is not open (closed, or suspended: resume it instead)."""


class WindowNotSuspendedError(WindowStateError):
    """Only a suspended window can be resumed."""


class WindowAlreadyClosedError(WindowStateError):
    """The window is already closed."""


class WindowInUseError(WindowStateError):
    """The window still has a ticket called or in service: finish, transfer or mark it first."""


class WindowChangedError(PlacesError, ConflictError):
    """The window, or its day, changed concurrently (a racing call, say): try again."""
