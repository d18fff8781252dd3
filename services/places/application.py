"""PlacesService: hall admins configure windows."""

from __future__ import annotations

from services.catalog.domain import ServiceItem
from services.halls.application import require_registered_hall
from services.places.domain import Window, WindowExistsError
from services.shared.application import HallApplication
from services.shared.errors import ValidationError

__all__ = ["PlacesService"]


class PlacesService(HallApplication):
    """Application service for one hall's places and windows."""

    def configure_window(
        self, code: str, name: str, window_type: str, item_codes: list[str], actor: str
    ) -> Window:
        """Set up a window serving ``item_codes`` (each must be in the hall's catalog)."""
        require_registered_hall(self)
        unknown = [
            c
            for c in item_codes
            if self.get_or_none(ServiceItem.create_id(self.hall_id, c)) is None
        ]
        if unknown:
            raise ValidationError(f"not in this hall's catalog: {', '.join(unknown)}")
        if self.get_or_none(Window.create_id(self.hall_id, code)) is not None:
            raise WindowExistsError(f"window {code!r} is already configured")
        window = Window(
            hall_id=self.hall_id,
            code=code,
            name=name,
            window_type=window_type,
            item_codes=list(item_codes),
            actor=actor,
        )
        self.save_or_conflict(window, conflict=WindowExistsError(f"window {code!r} exists"))
        return window
