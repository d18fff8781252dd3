"""Why a rebuild stopped (``yanshen rebuild`` prints these and exits with status 2), and why a
live batch refused a read model."""

from __future__ import annotations

__all__ = [
    "HallRebuildError",
    "ProjectionOutdatedError",
    "RebuildError",
    "RebuildRunningError",
    "RebuildVersionError",
]


class RebuildError(RuntimeError):
    """The rebuild could not run or did not finish (another one is running, a projection is
    unusable, a hall's batches failed). The live read models are as they were."""


class HallRebuildError(RebuildError):
    """A hall's batches failed in a rebuild (the message names the hall and the error; the
    error itself is the ``__cause__`` when it ran in this process)."""


class RebuildRunningError(RebuildError):
    """Another rebuild of the projection holds its rebuild lock (``yanshen rebuild`` or a
    worker's automatic rebuild)."""


class RebuildVersionError(RebuildError):
    """The rebuild's code is not the version that built the live tables, and what it would
    swap in would mix versions: a one-hall rebuild (``--tenant``) with any other version, a
    full rebuild with an older one unless it is a deliberate downgrade (``projection_versions``).
    The message says what to run instead."""


class ProjectionOutdatedError(RuntimeError):
    """A newer version of the projection's code built its live tables: this process's older
    code must not apply events to them (``projection_versions``)."""
