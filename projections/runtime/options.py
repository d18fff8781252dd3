"""Settings of projection workers, from the environment (``yanshen project``).

=========================  =======  ==================================================
variable                   default  meaning
=========================  =======  ==================================================
YANSHEN_PROJECTION_BATCH   500      positions per batch (one transaction)
YANSHEN_LEASE_TTL          10       seconds until a dead worker's halls move on
YANSHEN_POLL_INTERVAL      1.0      seconds between polls when no NOTIFY arrives
YANSHEN_WORKER_ID          random   this worker's id in leases (for tests and ops)
YANSHEN_METRICS_PORT       (off)    serve Prometheus metrics on this port
=========================  =======  ==================================================
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

__all__ = ["ProjectionOptions"]


def _env(name: str) -> str:
    return os.environ.get(name, "").strip()


@dataclass(frozen=True)
class ProjectionOptions:
    """How a projection worker batches, leases and polls.

    >>> ProjectionOptions().kwargs()["lease_ttl"]
    10.0
    """

    batch_size: int = 500
    lease_ttl: float = 10.0
    poll_interval: float = 1.0
    worker_id: str | None = None
    metrics_port: int | None = None

    def __post_init__(self) -> None:
        # A batch of no positions never reaches a hall's head: the worker would spin on it.
        if self.batch_size < 1:
            raise ValueError(f"YANSHEN_PROJECTION_BATCH must be at least 1, not {self.batch_size}")
        if self.lease_ttl <= 0 or self.poll_interval <= 0:
            raise ValueError("YANSHEN_LEASE_TTL and YANSHEN_POLL_INTERVAL must be above 0")

    @classmethod
    def from_env(cls) -> ProjectionOptions:
        """Options from ``YANSHEN_*`` variables; unset ones keep their defaults."""
        defaults = cls()
        port = _env("YANSHEN_METRICS_PORT")
        return cls(
            batch_size=int(_env("YANSHEN_PROJECTION_BATCH") or defaults.batch_size),
            lease_ttl=float(_env("YANSHEN_LEASE_TTL") or defaults.lease_ttl),
            poll_interval=float(_env("YANSHEN_POLL_INTERVAL") or defaults.poll_interval),
            worker_id=_env("YANSHEN_WORKER_ID") or None,
            metrics_port=int(port) if port else None,
        )

    def kwargs(self) -> dict[str, Any]:
        """Keyword arguments of :class:`~projections.runtime.worker.ProjectionWorker`."""
        return {
            "batch_size": self.batch_size,
            "lease_ttl": self.lease_ttl,
            "poll_interval": self.poll_interval,
            "worker_id": self.worker_id,
            "metrics_port": self.metrics_port,
        }
