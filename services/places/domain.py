"""Windows (窗口) of a hall: what they are and which service items they serve."""

from __future__ import annotations

import re
from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from services.shared import ConflictError, ValidationError, stable_id

__all__ = ["Window", "WindowExistsError", "WindowType"]

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")


class WindowType(StrEnum):
    COMPREHENSIVE = "COMPREHENSIVE"
    """综合窗口: comprehensive window."""
    ASSISTANCE = "ASSISTANCE"
    """帮办代办窗口: help / agent handling window."""
    COMPLAINT = "COMPLAINT"
    """投诉窗口: complaint window."""


class WindowExistsError(ConflictError):
    """A window with this code is already configured in the hall."""


class Window(Aggregate):
    """A service window of a hall, identified by its code (e.g. ``W01``).

    >>> w = Window(hall_id="demo", code="W01", name="综合窗口一", window_type="COMPREHENSIVE",
    ...            item_codes=["HOTLINE-001"], actor="admin")
    >>> w.window_type
    <WindowType.COMPREHENSIVE: 'COMPREHENSIVE'>
    """

    class Configured(Aggregate.Created):
        """WindowConfigured: a window was set up with the items it serves."""

        hall_id: str
        code: str
        name: str
        window_type: str
        item_codes: list[str]
        actor: str

    @event(Configured)
    def __init__(
        self,
        hall_id: str,
        code: str,
        name: str,
        window_type: str,
        item_codes: list[str],
        actor: str,
    ) -> None:
        if not _CODE.match(code):
            raise ValidationError(
                f"invalid window code {code!r}: 1-32 letters, digits, '.', '_', '-'"
            )
        if not name.strip() or len(name) > 100:
            raise ValidationError("a window name is 1 to 100 characters")
        try:
            self.window_type = WindowType(window_type)
        except ValueError:
            raise ValidationError(f"unknown window type {window_type!r}") from None
        self.hall_id = hall_id
        self.code = code
        self.name = name.strip()
        self.item_codes = list(item_codes)

    @staticmethod
    def create_id(hall_id: str, code: str) -> UUID:
        return stable_id(hall_id, "window", code)
