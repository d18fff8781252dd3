"""Settings of projection workers, from the environment (``yanshen project``).

=========================  =======  ==================================================
variable                   default  meaning
=========================  =======  ==================================================
YANSHEN_PROJECTION_BATCH   500      positions per batch (one transaction)
YANSHEN_LEASE_TTL          10       seconds until a dead worker's halls move on
YANSHEN_POLL_INTERVAL      1.0      seconds between polls when no NOTIFY arrives
YANSHEN_WORKER_ID          random   this worker's id in leases (for tests and ops)
YANSHEN_METRICS_PORT       (off)    serve Prometheus metrics on this port
YANSHEN_REBUILD_BATCH      5000     positions per batch of the automatic rebuilds
=========================  =======  ==================================================
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from services.shared.environment import ConfigurationError, read_float, read_int
from services.shared.metrics import metrics_port

__all__ = ["ProjectionOptions"]


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
    rebuild_batch_size: int = 5_000

    def __post_init__(self) -> None:
        # A batch of no positions never reaches a hall's head: the worker would spin on it;
        # a lease or poll interval of no (or no finite) time fails every round.
        for name, size in (
            ("YANSHEN_PROJECTION_BATCH", self.batch_size),
            ("YANSHEN_REBUILD_BATCH", self.rebuild_batch_size),
        ):
            if size < 1:
                raise ConfigurationError(f"{name} must be a whole number of at least 1, not {size}")
        for name, seconds in (
            ("YANSHEN_LEASE_TTL", self.lease_ttl),
            ("YANSHEN_POLL_INTERVAL", self.poll_interval),
        ):
            if not math.isfinite(seconds) or seconds <= 0:
                raise ConfigurationError(f"{name} must be a finite number above 0, not {seconds}")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ProjectionOptions:
        """Options from ``YANSHEN_*`` variables; unset ones keep their defaults. A value that
        cannot be used raises :class:`ConfigurationError` naming the variable."""
        e = os.environ if env is None else env
        defaults = cls()
        return cls(
            batch_size=read_int(e, "YANSHEN_PROJECTION_BATCH", defaults.batch_size, minimum=1),
            lease_ttl=read_float(e, "YANSHEN_LEASE_TTL", defaults.lease_ttl),
            poll_interval=read_float(e, "YANSHEN_POLL_INTERVAL", defaults.poll_interval),
            worker_id=e.get("YANSHEN_WORKER_ID", "").strip() or None,
            metrics_port=metrics_port(e),
            rebuild_batch_size=read_int(
                e, "YANSHEN_REBUILD_BATCH", defaults.rebuild_batch_size, minimum=1
            ),
        )

    def kwargs(self) -> dict[str, Any]:
        """Keyword arguments of :class:`~projections.runtime.worker.ProjectionWorker`."""
        return {
            "batch_size": self.batch_size,
            "lease_ttl": self.lease_ttl,
            "poll_interval": self.poll_interval,
            "worker_id": self.worker_id,
            "metrics_port": self.metrics_port,
            "rebuild_batch_size": self.rebuild_batch_size,
        }
