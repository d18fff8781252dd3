"""Halls (政务服务大厅): registration of a hall as a tenant of the platform, and its policies."""

from services.halls.application import HallRegistry, require_registered_hall
from services.halls.domain import (
    Hall,
    HallAlreadyRegisteredError,
    HallNotRegisteredError,
    HallPoliciesUnchangedError,
)
from services.halls.policies import CallRule, HallPolicies, MissedNumberPolicy, PolicyValueError

__all__ = [
    "CallRule",
    "Hall",
    "HallAlreadyRegisteredError",
    "HallNotRegisteredError",
    "HallPolicies",
    "HallPoliciesUnchangedError",
    "HallRegistry",
    "MissedNumberPolicy",
    "PolicyValueError",
    "require_registered_hall",
]
