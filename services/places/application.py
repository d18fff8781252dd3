"""PlacesService: hall admins register places and configure windows; windows open and close.

Opening, suspending, resuming and closing a window is done by hall admins, or by a staff
member signed in at that window (pass their ``badge``). A window closes only when no ticket
is called to it or in service there, and none waits reserved for it after a transfer (转窗口;
see :mod:`services.queue.windows`), and stops serving a queue only when no ticket of it is
reserved for the window; closes, suspensions and changes dropping queues are recorded on the
window's day, so a call or a transfer to the window racing them conflicts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from eventsourcing.domain import Aggregate

from services.halls.application import require_registered_hall
from services.places.domain import ServicePlace, Window, validate_codes
from services.places.errors import (
    ServicePlaceExistsError,
    ServicePlaceNotFoundError,
    WindowChangedError,
    WindowExistsError,
    WindowInUseError,
    WindowNotFoundError,
)
from services.places.items import require_offered_items
from services.queue.domain.queue import Queue
from services.queue.windows import left_at_window, stranded_at_window, window_day
from services.shared.application import HallApplication
from services.shared.errors import ValidationError
from services.staff.directory import find_staff
from services.staff.errors import StaffNotOnDutyError

__all__ = ["PlacesService"]


class PlacesService(HallApplication):
    """Application service for one hall's places and windows."""

    conflict_attempts = 3
    """How often a suspension or a reconfiguration is tried when a call (or another command)
    changed the window or its day concurrently; each attempt re-reads and re-checks the
    window."""

    def register_place(
        self, code: str, name: str, place_type: str, address: str, actor: str
    ) -> ServicePlace:
        """Register a service place (hall, 基层服务站 or online platform) under a new code."""
        require_registered_hall(self)
        if self.get_or_none(ServicePlace.create_id(self.hall_id, code)) is not None:
            raise ServicePlaceExistsError(f"place {code!r} is already registered")
        place = ServicePlace(
            hall_id=self.hall_id,
            code=code,
            name=name,
            place_type=place_type,
            address=address,
            actor=actor,
            timestamp=self.clock(),
        )
        self.save_or_conflict(place, conflict=ServicePlaceExistsError(f"place {code!r} exists"))
        return place

    def configure_window(
        self,
        code: str,
        name: str,
        window_type: str,
        item_codes: list[str],
        actor: str,
        place_code: str = "",
        queue_codes: Sequence[str] = (),
    ) -> Window:
        """Set up a window at ``place_code`` ('' for the hall's own premises) serving
        ``item_codes`` (each in the hall's catalog) and ``queue_codes`` (each configured)."""
        require_registered_hall(self)
        require_offered_items(self, item_codes)
        self._check_queues(queue_codes)
        if (
            place_code
            and self.get_or_none(ServicePlace.create_id(self.hall_id, place_code)) is None
        ):
            raise ServicePlaceNotFoundError(f"no place {place_code!r} in this hall")
        if self.get_or_none(Window.create_id(self.hall_id, code)) is not None:
            raise WindowExistsError(f"window {code!r} is already configured")
        window = Window(
            hall_id=self.hall_id,
            code=code,
            name=name,
            window_type=window_type,
            item_codes=list(item_codes),
            place_code=place_code,
            queue_codes=list(queue_codes),
            actor=actor,
            timestamp=self.clock(),
        )
        self.save_or_conflict(window, conflict=WindowExistsError(f"window {code!r} exists"))
        return window

    def reconfigure_window(
        self,
        code: str,
        name: str,
        window_type: str,
        item_codes: list[str],
        queue_codes: Sequence[str],
        actor: str,
    ) -> Window:
        """Change a window's name, type, items and queues (all values, not a diff).

        Refused (``WindowInUseError``) while a ticket of a queue it would no longer serve is
        reserved for it (转窗口), waiting or called there (a missed one rejoins its line,
        still reserved): no window could call that ticket any more. A change dropping queues
        is recorded on the window's day, saved with the window: a transfer to the window
        racing it conflicts there, and whichever is tried again sees the other (the transfer
        is refused as the window no longer serves the queue, the change as the ticket is
        reserved); a call saved first only makes the change be tried again."""

        def attempt() -> Window:
            window = self.get_window(code)
            require_offered_items(self, item_codes)
            self._check_queues(queue_codes)
            now = self.clock()
            calls = window_day(self, code, now, actor)
            stranded = stranded_at_window(self, calls, window.queue_codes, queue_codes)
            if stranded:
                raise WindowInUseError(
                    f"window {code!r} would no longer serve "
                    f"{', '.join(t.display_number for t in stranded)}, reserved for it: "
                    "serve them there or transfer them to another window first"
                )
            dropped = [c for c in window.queue_codes if c not in queue_codes]
            window.reconfigure(name, window_type, list(item_codes), list(queue_codes), now, actor)
            if not dropped:
                return self._save(window)
            calls.record_reconfiguration(dropped, now, actor)
            return self._save(window, calls)

        return self._retrying(attempt)

    def open_window(self, code: str, actor: str, badge: str | None = None) -> Window:
        """Open a window; with ``badge``, that staff member must be signed in there."""
        window = self._window_for(code, badge)
        window.open(self.clock(), actor)
        return self._save(window)

    def suspend_window(
        self, code: str, reason: str, actor: str, badge: str | None = None
    ) -> Window:
        """暂停服务 with a reason; with ``badge``, that staff member must be signed in there.

        A ticket called to the window or in service there stays (a system failure mid-service
        is a reason to suspend): it may still be served, ended, marked or transferred; no new
        ticket is called or recalled until the window resumes. Tickets waiting reserved for
        the window (转窗口) wait on: it calls them when it resumes, and none is transferred to
        it meanwhile. The suspension is also recorded on the window's day, saved with the
        window, so a call or transfer racing it conflicts (and is then refused); one saved
        first makes the suspension conflict, and it is tried again.
        """

        def attempt() -> Window:
            window = self._window_for(code, badge)
            now = self.clock()
            calls = window_day(self, code, now, actor)
            window.suspend(reason, now, actor)
            calls.record_suspension(now, actor)
            return self._save(window, calls)

        return self._retrying(attempt)

    def resume_window(self, code: str, actor: str, badge: str | None = None) -> Window:
        window = self._window_for(code, badge)
        window.resume(self.clock(), actor)
        return self._save(window)

    def close_window(self, code: str, actor: str, badge: str | None = None) -> Window:
        """Close a window; refused (``WindowInUseError``) while a ticket is called to it or
        in service there, or waits reserved for it (转窗口: no other window may call it). The
        close is also recorded on the window's day, read before the tickets and saved with the
        window, so a call or a transfer to the window racing the close conflicts with it."""
        window = self._window_for(code, badge)
        now = self.clock()
        calls = window_day(self, code, now, actor)
        held, reserved = left_at_window(self, calls, window.queue_codes)
        window.close(
            now, actor, [t.display_number for t in held], [t.display_number for t in reserved]
        )
        calls.record_close(now, actor)
        self._save(window, calls)
        return window

    def get_window(self, code: str) -> Window:
        window = self.get_or_none(Window.create_id(self.hall_id, code))
        if window is None:
            raise WindowNotFoundError(f"no window {code!r} in this hall")
        assert isinstance(window, Window)
        return window

    def get_place(self, code: str) -> ServicePlace:
        place = self.get_or_none(ServicePlace.create_id(self.hall_id, code))
        if place is None:
            raise ServicePlaceNotFoundError(f"no place {code!r} in this hall")
        assert isinstance(place, ServicePlace)
        return place

    def _window_for(self, code: str, badge: str | None) -> Window:
        """The window; when a staff member acts (``badge``), they must be on duty there."""
        window = self.get_window(code)
        if badge is not None:
            member = find_staff(self, badge)  # whatever the case of the badge
            if member is None:
                raise StaffNotOnDutyError(f"{badge!r} is no staff member of this hall")
            member.require_on_duty(code)
        return window

    def _retrying(self, attempt: Callable[[], Window]) -> Window:
        """``attempt()``, tried again (re-reading and re-checking) while the window or its
        day changed concurrently; the last conflict reaches the caller."""
        for _ in range(self.conflict_attempts - 1):
            try:
                return attempt()
            except WindowChangedError:
                continue
        return attempt()

    def _save(self, window: Window, *others: Aggregate) -> Window:
        conflict = WindowChangedError(f"window {window.code!r} changed concurrently; try again")
        self.save_or_conflict(window, *others, conflict=conflict)
        return window

    def _check_queues(self, queue_codes: Sequence[str]) -> None:
        validate_codes(queue_codes, "queue")  # before a lookup per code
        unknown = [
            c for c in queue_codes if self.get_or_none(Queue.create_id(self.hall_id, c)) is None
        ]
        if unknown:
            raise ValidationError(f"no such queues in this hall: {', '.join(unknown)}")
