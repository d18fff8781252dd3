"""Why a rebuild stopped (``yanshen rebuild`` prints these and exits with status 2)."""

from __future__ import annotations

__all__ = ["HallRebuildError", "RebuildError"]


class RebuildError(RuntimeError):
    """The rebuild could not run or did not finish (another one is running, a projection is
    unusable, a hall's batches failed). The live read models are as they were."""


class HallRebuildError(RebuildError):
    """A hall's batches failed in a rebuild (the message names the hall and the error; the
    error itself is the ``__cause__`` when it ran in this process)."""
