"""LISTEN/NOTIFY subscription to one hall's log (channel ``yanshen_events``).

Appends notify ``'<tenant_id>:<head position>'`` on commit; a subscription wakes only for its
own hall's payloads and then pulls new notifications with ``select_notifications``.
"""

from __future__ import annotations

from collections.abc import Sequence
from threading import Thread
from typing import TYPE_CHECKING, Any

from eventsourcing.persistence import ListenNotifySubscription

if TYPE_CHECKING:
    from services.store.recorder import TenantProcessRecorder

__all__ = ["CHANNEL", "TenantSubscription"]

CHANNEL = "yanshen_events"
"""The NOTIFY channel of every hall; the payload is ``'<tenant_id>:<position>'``."""


class TenantSubscription(ListenNotifySubscription["TenantProcessRecorder"]):
    """Iterates a hall's notifications after ``gt``, blocking for new ones."""

    def __init__(
        self,
        recorder: TenantProcessRecorder,
        gt: int | None = None,
        topics: Sequence[str] = (),
    ) -> None:
        super().__init__(recorder=recorder, gt=gt, topics=topics)
        self._prefix = f"{recorder.tenant_id}:"
        self._listen_thread = Thread(target=self._listen, daemon=True)
        self._listen_thread.start()

    def __exit__(self, *args: object, **kwargs: Any) -> None:
        try:
            super().__exit__(*args, **kwargs)
        finally:
            self._listen_thread.join()

    def _listen(self) -> None:
        try:
            with self._recorder.pool.connection() as conn:
                conn.execute(f"LISTEN {CHANNEL}")
                try:
                    while not self._has_been_stopped and not self._thread_error:
                        for notify in conn.notifies(timeout=0.1, stop_after=1):
                            if notify.payload.startswith(self._prefix):
                                self._has_been_notified.set()
                finally:
                    conn.execute(f"UNLISTEN {CHANNEL}")
        except BaseException as e:
            if self._thread_error is None:
                self._thread_error = e
            self.stop()
