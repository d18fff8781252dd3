"""Command side of Yanshen: aggregates, applications and the tenant-scoped event store."""
