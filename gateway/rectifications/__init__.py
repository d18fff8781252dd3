"""GraphQL mutations and queries (the rectification ledger) of the rectifications context
(整改)."""

from gateway.rectifications.queries import RectificationQueries
from gateway.rectifications.schema import RectificationMutations

__all__ = ["RectificationMutations", "RectificationQueries"]
