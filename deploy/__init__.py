"""Deployment and entrypoints: settings, the ``yanshen`` CLI, embedded PostgreSQL, local Kafka."""
