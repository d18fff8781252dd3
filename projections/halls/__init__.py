"""The registry of halls on the platform (for operators): projection and queries."""

from projections.halls.projection import HallsProjection
from projections.halls.view import HallRow, get_hall

__all__ = ["HallRow", "HallsProjection", "get_hall"]
