"""Subscriptions over graphql-transport-ws, fed by PostgreSQL NOTIFY on ``yanshen_events``."""

from gateway.subscriptions.hub import HallWatch, LogHub
from gateway.subscriptions.sources import (
    hall_log_moves,
    log_head,
    projected_changes,
    wait_for_projection,
)

__all__ = [
    "HallWatch",
    "LogHub",
    "hall_log_moves",
    "log_head",
    "projected_changes",
    "wait_for_projection",
]
