"""Halls (政务服务大厅): registration of a hall as a tenant of the platform."""

from services.halls.application import HallRegistry
from services.halls.domain import Hall, HallAlreadyRegisteredError, HallNotRegisteredError

__all__ = ["Hall", "HallAlreadyRegisteredError", "HallNotRegisteredError", "HallRegistry"]
