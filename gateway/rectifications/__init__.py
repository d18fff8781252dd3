"""GraphQL mutations of the rectifications context (整改)."""

from gateway.rectifications.schema import RectificationMutations

__all__ = ["RectificationMutations"]
