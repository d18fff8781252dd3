"""The catalog items a window or a queue may serve: published, not withdrawn, items of the hall."""

from __future__ import annotations

from collections.abc import Sequence

from services.catalog.domain import ServiceItem
from services.places.domain import require_distinct
from services.shared.application import HallApplication
from services.shared.errors import ValidationError

__all__ = ["require_offered_items"]


def require_offered_items(app: HallApplication, item_codes: Sequence[str]) -> None:
    """Refuse (``ValidationError``) codes that are not in the hall's catalog, or were withdrawn
    from it: a withdrawn item is no longer offered, so no window or queue takes it on. The
    list's size is checked first: each code costs a lookup."""
    require_distinct(item_codes, "item")
    missing = []
    for code in item_codes:
        item = app.get_or_none(ServiceItem.create_id(app.hall_id, code))
        if not isinstance(item, ServiceItem) or item.withdrawn:
            missing.append(code)
    if missing:
        raise ValidationError(
            f"not in this hall's catalog (unknown or withdrawn): {', '.join(missing)}"
        )
