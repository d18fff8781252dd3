"""Subscriptions over graphql-transport-ws, fed by PostgreSQL NOTIFY on ``yanshen_events``."""

from gateway.subscriptions.expiry import seconds_left, until_expiry
from gateway.subscriptions.hub import HallWatch, LogHub
from gateway.subscriptions.sources import (
    hall_log_moves,
    log_head,
    projected_changes,
    wait_for_projection,
)
from gateway.subscriptions.transport import AdmittingTransportWSHandler, OperationAdmission

__all__ = [
    "AdmittingTransportWSHandler",
    "HallWatch",
    "LogHub",
    "OperationAdmission",
    "hall_log_moves",
    "log_head",
    "projected_changes",
    "seconds_left",
    "until_expiry",
    "wait_for_projection",
]
