"""The machinery every projection shares: decoding events, tenant-scoped reads, the worker."""

from projections.runtime.db import tenant_connection
from projections.runtime.decoding import decode
from projections.runtime.projection import Projection
from projections.runtime.worker import ProjectionWorker

__all__ = ["Projection", "ProjectionWorker", "decode", "tenant_connection"]
