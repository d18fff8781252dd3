"""Number prefixes (号码前缀): a queue claims its prefix and releases it, one queue per prefix.

The rule "a prefix is one queue's per hall" is kept by :class:`~services.queue.domain.QueuePrefix`
(one aggregate per hall and prefix, saved in the same atomic save as the queue's event). Queues
configured before that aggregate existed hold no claim: when a prefix has no ``QueuePrefix``
yet, the hall's log is asked whether such a queue uses it (:func:`legacy_holder`), so a new or
reconfigured queue cannot take it. That read happens only for a prefix no queue has claimed
(configuring a queue, or moving one to a new prefix: rare staff commands); a prefix with a
claim is decided by its aggregate alone. A refused claim records nothing (the legacy queue's
claim is recorded by its own next reconfiguration).

A released prefix is free for the hall's other queues from the next service day, always: a
command starting today's queue day may have read the queue with its old prefix just before the
release, so today's numbers may still carry it even when no day had been started yet.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from uuid import UUID

from eventsourcing.utils import get_topic

from services.queue.domain import Queue, QueuePrefix
from services.queue.errors import QueuePrefixTakenError
from services.shared.working_days import local_date

if TYPE_CHECKING:
    from services.shared.application import HallApplication

__all__ = ["claim_prefix", "held_prefix", "legacy_holder", "release_prefix"]

_QUEUE_TOPICS = [get_topic(Queue.Configured), get_topic(Queue.Reconfigured)]
_PAGE = 500


def held_prefix(app: HallApplication, prefix: str) -> QueuePrefix | None:
    """The hall's claim of ``prefix``, or None when no queue has claimed it yet."""
    held = app.get_or_none(QueuePrefix.create_id(app.hall_id, prefix))
    assert held is None or isinstance(held, QueuePrefix)
    return held


def legacy_holder(app: HallApplication, prefix: str, queue_code: str) -> str:
    """The code of another queue of the hall whose current prefix is ``prefix`` ('' if none).

    Reads the hall's ``QueueConfigured`` and ``QueueReconfigured`` events (a few per queue)
    and folds each queue's current prefix. Only asked for a prefix without a ``QueuePrefix``:
    its holder can then only be a queue configured before prefixes were claimed.
    """
    codes: dict[UUID, str] = {}
    prefixes: dict[UUID, str] = {}
    start = 1
    while True:
        page = app.recorder.select_notifications(start, _PAGE, topics=_QUEUE_TOPICS)
        for notification in page:
            event = app.mapper.to_domain_event(notification)
            if isinstance(event, Queue.Configured):
                if event.hall_id != app.hall_id:  # pragma: no cover - one hall per log
                    continue
                codes[event.originator_id] = event.code
            if isinstance(event, Queue.Configured | Queue.Reconfigured):
                prefixes[event.originator_id] = event.prefix
        if len(page) < _PAGE:
            break
        start = page[-1].id + 1
    holders = sorted(
        code
        for queue_id, code in codes.items()
        if code != queue_code and prefixes.get(queue_id) == prefix
    )
    return holders[0] if holders else ""


def claim_prefix(
    app: HallApplication,
    prefix: str,
    queue_code: str,
    now: datetime,
    actor: str,
    *,
    own: bool = False,
) -> QueuePrefix:
    """The prefix, claimed for ``queue_code`` (not saved yet).

    Raises QueuePrefixTakenError when another queue holds it: by its claim, or, for a prefix
    nobody has claimed, as the current prefix of a queue configured before claims existed.
    ``own``: the queue keeps its current prefix (a legacy queue claiming its own; no log read).
    """
    held = held_prefix(app, prefix)
    if held is None:
        if not own and (holder := legacy_holder(app, prefix, queue_code)):
            raise QueuePrefixTakenError(
                f"prefix {prefix!r} is held by queue {holder!r}: choose another"
            )
        return QueuePrefix(
            hall_id=app.hall_id, prefix=prefix, queue_code=queue_code, actor=actor, timestamp=now
        )
    held.claim(queue_code, local_date(now).isoformat(), now, actor)
    return held


def release_prefix(
    app: HallApplication, prefix: str, queue_code: str, now: datetime, actor: str
) -> QueuePrefix:
    """``queue_code`` gives ``prefix`` up, for the other queues from the next service day
    (not saved yet). A queue configured before claims existed records its claim and the
    release together, so its numbers of today are protected too."""
    held = held_prefix(app, prefix) or QueuePrefix(
        hall_id=app.hall_id, prefix=prefix, queue_code=queue_code, actor=actor, timestamp=now
    )
    free_from = local_date(now) + timedelta(days=1)
    held.release(queue_code, free_from.isoformat(), now, actor)
    return held
