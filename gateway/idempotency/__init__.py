"""Idempotency keys on mutations (``Idempotency-Key`` header), stored per hall and caller."""

from gateway.idempotency.extension import HEADER, Idempotency

__all__ = ["HEADER", "Idempotency"]
