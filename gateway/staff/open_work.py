"""The open work of a staff member from the ``worklist`` read model (the gateway's lookup).

Offboarding (``StaffService.offboard_staff``) needs to know whether a member still holds open
cases, complaints or rectification steps. Reading the hall's log for that
(``services.staff.open_work_in_log``) walks the hall's history; the worklist already counts
it per badge, but is eventually consistent. :class:`WorklistOpenWork` therefore answers only
once the worklist has applied the hall's log up to the position the command started at
(``as_of``): it waits for the projection a few seconds, then refuses
(``StaffWorkUnknownError``, ``CONFLICT``, nothing recorded) rather than answer from an older
state. What remains is the moment between a concurrent acceptance or assignment's check of the
member and its save (see ``docs/domain.md``, section "Staff").
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from psycopg_pool import ConnectionPool

from projections.worklist import worklist_counts, worklist_position
from services.shared.application import HallApplication
from services.staff import OpenWork, StaffWorkUnknownError

__all__ = ["WorklistOpenWork"]


@dataclass(frozen=True)
class WorklistOpenWork:
    """An ``OpenWorkLookup`` over the worklist read model (an ``app`` pool is enough)."""

    pool: ConnectionPool
    wait_seconds: float = 5.0
    """How long to wait for the worklist to catch up before refusing."""
    poll_seconds: float = 0.05
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    monotonic: Callable[[], float] = field(default=time.monotonic, repr=False)

    def __call__(self, app: HallApplication, badge_number: str, *, as_of: int) -> OpenWork:
        deadline = self.monotonic() + self.wait_seconds
        while (position := worklist_position(self.pool, app.hall_id)) < as_of:
            if self.monotonic() >= deadline:
                raise StaffWorkUnknownError(
                    f"the staff worklists are {as_of - position} events behind this hall's "
                    "log: nothing was recorded, try again in a moment"
                )
            self.sleep(self.poll_seconds)
        counts = worklist_counts(self.pool, app.hall_id, badge_number)
        return OpenWork(
            open_cases=counts.open_cases,
            open_complaints=counts.open_complaints,
            pending_rectifications=counts.rectification_follow_ups,
        )
