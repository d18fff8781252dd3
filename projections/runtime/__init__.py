"""The machinery every projection shares: handlers, tenant-scoped reads, the worker."""

from projections.runtime.db import tenant_connection
from projections.runtime.projection import Projection
from projections.runtime.worker import ProjectionConsumer, ProjectionWorker

__all__ = ["Projection", "ProjectionConsumer", "ProjectionWorker", "tenant_connection"]
