"""Service places (服务场所) and their windows (窗口): where a hall serves applicants.

A window belongs to a place (``place_code``; empty for the hall's own premises), serves
catalog items and queues, and is opened, suspended (with a reason), resumed and closed over
the day. Illegal transitions raise a :class:`~services.places.errors.WindowStateError`.
Every event's timestamp is its command's moment (``now`` or ``timestamp``: the application's
clock).

``WindowConfigured`` is at version 2 (``place_code`` and ``queue_codes`` added); version-1
events, stored before windows had places and queues, are upcast when read.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from services.places.errors import (
    WindowAlreadyClosedError,
    WindowAlreadyOpenError,
    WindowExistsError,
    WindowInUseError,
    WindowNotOpenError,
    WindowNotSuspendedError,
)
from services.shared import ValidationError, stable_id
from services.shared.ids import PLACE_CODE

__all__ = [
    "PlaceType",
    "ServicePlace",
    "Window",
    "WindowExistsError",
    "WindowStatus",
    "WindowType",
    "require_distinct",
    "validate_code",
    "validate_codes",
]

MAX_REASON = 500


def validate_code(code: str, what: str) -> str:
    """A place, window or queue code: 1-32 letters, digits, '.', '_' or '-'."""
    if not isinstance(code, str) or not PLACE_CODE.match(code):
        raise ValidationError(f"invalid {what} code {code!r}: 1-32 letters, digits, '.', '_', '-'")
    return code


def _name(name: str, what: str, limit: int = 100) -> str:
    if not name.strip() or len(name) > limit:
        raise ValidationError(f"a {what} name is 1 to {limit} characters")
    return name.strip()


MAX_CODES = 100
"""The most items or queues one window or queue lists."""


def require_distinct(codes: Sequence[str], what: str) -> None:
    """At most :data:`MAX_CODES` codes, none twice (checked before any is looked up)."""
    if len(codes) > MAX_CODES or len(set(codes)) != len(codes):
        raise ValidationError(f"at most {MAX_CODES} distinct {what} codes")


def validate_codes(codes: Sequence[str], what: str) -> list[str]:
    """Distinct place, window or queue codes (:func:`require_distinct`, :func:`validate_code`)."""
    require_distinct(codes, what)
    return [validate_code(c, what) for c in codes]


class PlaceType(StrEnum):
    """The kind of service place."""

    HALL = "HALL"
    """政务服务大厅: an offline hall."""
    GRASSROOTS_STATION = "GRASSROOTS_STATION"
    """基层服务站: a grassroots station (township, street or village)."""
    ONLINE_PLATFORM = "ONLINE_PLATFORM"
    """网上服务平台: the online service platform (GB/T 32168)."""


class WindowType(StrEnum):
    COMPREHENSIVE = "COMPREHENSIVE"
    """综合窗口: comprehensive window."""
    ASSISTANCE = "ASSISTANCE"
    """帮办代办窗口: help / agent handling window."""
    COMPLAINT = "COMPLAINT"
    """投诉窗口: complaint window."""


class WindowStatus(StrEnum):
    """Where a window is in its day: configured windows start ``CLOSED``."""

    CLOSED = "CLOSED"
    OPEN = "OPEN"
    SUSPENDED = "SUSPENDED"
    """暂停服务: open, but calling no tickets (break, system outage …)."""


class ServicePlace(Aggregate):
    """A place where the hall serves: an offline hall, a 基层服务站 or the online platform.

    >>> from datetime import UTC
    >>> p = ServicePlace(hall_id="demo", code="ZX", name="镇便民服务中心",
    ...                  place_type="GRASSROOTS_STATION", address="某镇某路1号", actor="admin",
    ...                  timestamp=datetime(2026, 3, 2, 1, tzinfo=UTC))
    >>> p.place_type
    <PlaceType.GRASSROOTS_STATION: 'GRASSROOTS_STATION'>
    """

    class Registered(Aggregate.Created):
        """ServicePlaceRegistered: a service place joined the hall."""

        hall_id: str
        code: str
        name: str
        place_type: str
        address: str
        actor: str

    @event(Registered)
    def __init__(
        self,
        hall_id: str,
        code: str,
        name: str,
        place_type: str,
        address: str,
        actor: str,
        *,
        timestamp: datetime,
    ) -> None:
        validate_code(code, "place")
        try:
            self.place_type = PlaceType(place_type)
        except ValueError:
            raise ValidationError(f"unknown place type {place_type!r}") from None
        if len(address) > 200:
            raise ValidationError("an address (or the platform's address) is up to 200 characters")
        self.hall_id = hall_id
        self.code = code
        self.name = _name(name, "place", 200)
        self.address = address.strip()

    @staticmethod
    def create_id(hall_id: str, code: str) -> UUID:
        return stable_id(hall_id, "service-place", code)


class Window(Aggregate):
    """A service window of a hall, identified by its code (e.g. ``W01``).

    >>> from datetime import UTC
    >>> w = Window(hall_id="demo", code="W01", name="综合窗口一", window_type="COMPREHENSIVE",
    ...            item_codes=["HOTLINE-001"], place_code="", queue_codes=["Q1"], actor="admin",
    ...            timestamp=datetime(2026, 3, 2, 1, tzinfo=UTC))
    >>> w.window_type, w.status
    (<WindowType.COMPREHENSIVE: 'COMPREHENSIVE'>, <WindowStatus.CLOSED: 'CLOSED'>)
    """

    class Configured(Aggregate.Created):
        """WindowConfigured: a window was set up with the items and queues it serves."""

        class_version = 2
        hall_id: str
        code: str
        name: str
        window_type: str
        item_codes: list[str]
        place_code: str
        queue_codes: list[str]
        actor: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Version 1 had no place (the hall's own premises) and no queues."""
            state["place_code"] = ""
            state["queue_codes"] = []

    class Reconfigured(Aggregate.Event):
        """WindowReconfigured: new name, type, items or queues (all values, not a diff)."""

        name: str
        window_type: str
        item_codes: list[str]
        queue_codes: list[str]
        actor: str

    class Opened(Aggregate.Event):
        """WindowOpened: the window started serving."""

        opened_at: datetime
        actor: str

    class Suspended(Aggregate.Event):
        """WindowSuspended: the window paused serving (暂停服务), with a reason."""

        reason: str
        suspended_at: datetime
        actor: str

    class Resumed(Aggregate.Event):
        """WindowResumed: a suspended window serves again."""

        resumed_at: datetime
        actor: str

    class Closed(Aggregate.Event):
        """WindowClosed: the window stopped serving (end of day, or until further notice)."""

        closed_at: datetime
        actor: str

    @event(Configured)
    def __init__(
        self,
        hall_id: str,
        code: str,
        name: str,
        window_type: str,
        item_codes: list[str],
        place_code: str,
        queue_codes: list[str],
        actor: str,
        *,
        timestamp: datetime,
    ) -> None:
        validate_code(code, "window")
        if place_code:
            validate_code(place_code, "place")
        self.hall_id = hall_id
        self.code = code
        self.place_code = place_code
        self._apply(name, window_type, item_codes, queue_codes)
        self.status = WindowStatus.CLOSED
        self.suspension_reason = ""

    @staticmethod
    def create_id(hall_id: str, code: str) -> UUID:
        return stable_id(hall_id, "window", code)

    def _apply(
        self, name: str, window_type: str, item_codes: list[str], queue_codes: list[str]
    ) -> None:
        self.name = _name(name, "window")
        try:
            self.window_type = WindowType(window_type)
        except ValueError:
            raise ValidationError(f"unknown window type {window_type!r}") from None
        self.item_codes = list(item_codes)
        self.queue_codes = validate_codes(queue_codes, "queue")

    @property
    def is_open(self) -> bool:
        """Open and not suspended: the window may call tickets."""
        return self.status is WindowStatus.OPEN

    def reconfigure(
        self,
        name: str,
        window_type: str,
        item_codes: list[str],
        queue_codes: list[str],
        now: datetime,
        actor: str,
    ) -> None:
        """Change what the window is and serves; its state (open, closed …) is unchanged."""
        _name(name, "window")
        if window_type not in WindowType.__members__:
            raise ValidationError(f"unknown window type {window_type!r}")
        require_distinct(item_codes, "item")
        validate_codes(queue_codes, "queue")
        self._reconfigured(
            name.strip(), window_type, list(item_codes), list(queue_codes), actor, timestamp=now
        )

    @event(Reconfigured)
    def _reconfigured(
        self,
        name: str,
        window_type: str,
        item_codes: list[str],
        queue_codes: list[str],
        actor: str,
        *,
        timestamp: datetime,
    ) -> None:
        self._apply(name, window_type, item_codes, queue_codes)

    def open(self, now: datetime, actor: str) -> None:
        """Start serving: a closed window opens; an open or suspended one is refused."""
        if self.status is WindowStatus.OPEN:
            raise WindowAlreadyOpenError(f"window {self.code!r} is already open")
        if self.status is WindowStatus.SUSPENDED:
            raise WindowAlreadyOpenError(f"window {self.code!r} is suspended: resume it")
        self._opened(now, actor, timestamp=now)

    @event(Opened)
    def _opened(self, opened_at: datetime, actor: str, *, timestamp: datetime) -> None:
        self.status = WindowStatus.OPEN

    def suspend(self, reason: str, now: datetime, actor: str) -> None:
        """Pause an open window (暂停服务); the reason is shown on the queue board."""
        if self.status is not WindowStatus.OPEN:
            raise WindowNotOpenError(f"window {self.code!r} is {self.status.value.lower()}")
        if not reason.strip() or len(reason) > MAX_REASON:
            raise ValidationError(f"suspending a window needs a reason (up to {MAX_REASON})")
        self._suspended(reason.strip(), now, actor, timestamp=now)

    @event(Suspended)
    def _suspended(
        self, reason: str, suspended_at: datetime, actor: str, *, timestamp: datetime
    ) -> None:
        self.status = WindowStatus.SUSPENDED
        self.suspension_reason = reason

    def resume(self, now: datetime, actor: str) -> None:
        """A suspended window serves again."""
        if self.status is not WindowStatus.SUSPENDED:
            raise WindowNotSuspendedError(f"window {self.code!r} is {self.status.value.lower()}")
        self._resumed(now, actor, timestamp=now)

    @event(Resumed)
    def _resumed(self, resumed_at: datetime, actor: str, *, timestamp: datetime) -> None:
        self.status = WindowStatus.OPEN
        self.suspension_reason = ""

    def close(
        self, now: datetime, actor: str, held: Sequence[str] = (), reserved: Sequence[str] = ()
    ) -> None:
        """Stop serving; an open or suspended window closes, unless it still has a ticket
        called or in service (``held``: their display numbers) or one waiting reserved for it
        (``reserved``, 转窗口: only this window may call it), which would be left there."""
        if self.status is WindowStatus.CLOSED:
            raise WindowAlreadyClosedError(f"window {self.code!r} is already closed")
        if held:
            raise WindowInUseError(
                f"window {self.code!r} still has {', '.join(held)}: end the service, transfer "
                "the ticket or mark it as a no-show before closing"
            )
        if reserved:
            raise WindowInUseError(
                f"{', '.join(reserved)} still waiting for window {self.code!r} (transferred "
                "to it): call them there, or transfer them to another window or queue, before "
                "closing"
            )
        self._closed(now, actor, timestamp=now)

    @event(Closed)
    def _closed(self, closed_at: datetime, actor: str, *, timestamp: datetime) -> None:
        self.status = WindowStatus.CLOSED
        self.suspension_reason = ""
