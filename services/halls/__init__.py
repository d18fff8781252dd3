"""Halls (政务服务大厅): registration of a hall as a tenant of the platform."""

from services.halls.application import HallRegistry, require_registered_hall
from services.halls.domain import Hall, HallAlreadyRegisteredError, HallNotRegisteredError
from services.halls.policies import CallRule, HallPolicies, MissedNumberPolicy

__all__ = [
    "CallRule",
    "Hall",
    "HallAlreadyRegisteredError",
    "HallNotRegisteredError",
    "HallPolicies",
    "HallRegistry",
    "MissedNumberPolicy",
    "require_registered_hall",
]
