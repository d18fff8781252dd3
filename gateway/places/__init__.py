"""GraphQL mutations of the places context (服务场所、窗口)."""

from gateway.places.schema import PlacesMutations

__all__ = ["PlacesMutations"]
