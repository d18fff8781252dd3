"""A queue day's common events read from their stored rows, for the read models that fold
a hall's tickets (the queue board and the worklist).

Most of a busy hall's log is the life of its tickets: issued, called, served, ended, and
each queue's day started. The folds need a few fields of these events; a ``msgspec`` struct
of those fields parses a row's state in a fifth of the time the generic decoding takes
(which walks every field for transcodings and builds the domain event). :func:`views` gives
each such row as a *view*: a named tuple with the event's attribute names and value types
(datetimes as ``DatetimeAsISO`` decodes them, the day's id a ``UUID``), so a fold handles
the view and the event alike. A row is parsed once per group batch, for every read model in
it (``Batch.memo``).

Any state the structs do not take (another class version, a value of another type, an
erased field) has no view: the caller decodes the event (``batch.decoded(row)``) and folds
that, so the rows are the same either way. Rarer events (recalls, no-shows, transfers,
removals, resets) are always decoded.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from typing import NamedTuple
from uuid import UUID

import msgspec
from eventsourcing.utils import get_topic

from projections.runtime import Batch
from projections.runtime.decoding import StoredDatetime
from services.queue import QueueDay

__all__ = ["TOPICS", "Called", "DayStarted", "Ended", "Issued", "Serving", "View", "views"]


class DayStarted(NamedTuple):
    """``QueueDay.Started``: the fields the folds use."""

    originator_id: UUID
    queue_code: str
    service_day: str
    prefix: str


class Issued(NamedTuple):
    """``QueueDay.TicketIssued``: the fields the folds use."""

    originator_id: UUID
    number: int
    display_number: str
    channel: str
    transferred_from: str
    waiting_since: datetime
    issued_at: datetime


class Called(NamedTuple):
    """``QueueDay.TicketCalled``: the fields the folds use."""

    originator_id: UUID
    number: int
    display_number: str
    window_code: str
    staff_badge: str
    called_at: datetime


class Serving(NamedTuple):
    """``QueueDay.ServiceStarted``: the fields the folds use."""

    originator_id: UUID
    number: int
    staff_badge: str
    started_at: datetime


class Ended(NamedTuple):
    """``QueueDay.ServiceEnded``: the fields the folds use."""

    originator_id: UUID
    number: int
    outcome: str
    ended_at: datetime


View = DayStarted | Issued | Called | Serving | Ended


class _StartedState(msgspec.Struct, gc=False):
    queue_code: str
    service_day: str
    prefix: str
    class_version: int = 1


class _IssuedState(msgspec.Struct, gc=False):
    number: int
    display_number: str
    channel: str
    transferred_from: str
    waiting_since: StoredDatetime
    issued_at: StoredDatetime
    class_version: int = 1


class _CalledState(msgspec.Struct, gc=False):
    number: int
    display_number: str
    window_code: str
    staff_badge: str
    called_at: StoredDatetime
    class_version: int = 1


class _ServingState(msgspec.Struct, gc=False):
    number: int
    staff_badge: str
    started_at: StoredDatetime
    class_version: int = 1


class _EndedState(msgspec.Struct, gc=False):
    number: int
    outcome: str
    ended_at: StoredDatetime
    class_version: int = 1


def _version(cls: type) -> int:
    return int(getattr(cls, "class_version", 1))


_at = datetime.fromisoformat  # what DatetimeAsISO decodes a stored datetime with
_started_state = msgspec.json.Decoder(_StartedState).decode
_issued_state = msgspec.json.Decoder(_IssuedState).decode
_called_state = msgspec.json.Decoder(_CalledState).decode
_serving_state = msgspec.json.Decoder(_ServingState).decode
_ended_state = msgspec.json.Decoder(_EndedState).decode
_STARTED = _version(QueueDay.Started)
_ISSUED = _version(QueueDay.TicketIssued)
_CALLED = _version(QueueDay.TicketCalled)
_SERVING = _version(QueueDay.ServiceStarted)
_ENDED = _version(QueueDay.ServiceEnded)


# Each returns None for a state of another class version (upcast by the generic decoding)
# and raises msgspec.DecodeError or ValueError for one the struct does not take.


def _started(day: UUID, state: bytes) -> DayStarted | None:
    s = _started_state(state)
    if s.class_version != _STARTED:
        return None
    return DayStarted(day, s.queue_code, s.service_day, s.prefix)


def _issued(day: UUID, state: bytes) -> Issued | None:
    s = _issued_state(state)
    if s.class_version != _ISSUED:
        return None
    waiting_since, issued_at = _at(s.waiting_since.data), _at(s.issued_at.data)
    return Issued(
        day, s.number, s.display_number, s.channel, s.transferred_from, waiting_since, issued_at
    )


def _called(day: UUID, state: bytes) -> Called | None:
    s = _called_state(state)
    if s.class_version != _CALLED:
        return None
    return Called(
        day, s.number, s.display_number, s.window_code, s.staff_badge, _at(s.called_at.data)
    )


def _serving(day: UUID, state: bytes) -> Serving | None:
    s = _serving_state(state)
    if s.class_version != _SERVING:
        return None
    return Serving(day, s.number, s.staff_badge, _at(s.started_at.data))


def _ended(day: UUID, state: bytes) -> Ended | None:
    s = _ended_state(state)
    if s.class_version != _ENDED:
        return None
    return Ended(day, s.number, s.outcome, _at(s.ended_at.data))


_PARSE: dict[str, Callable[[UUID, bytes], View | None]] = {
    get_topic(QueueDay.Started): _started,
    get_topic(QueueDay.TicketIssued): _issued,
    get_topic(QueueDay.TicketCalled): _called,
    get_topic(QueueDay.ServiceStarted): _serving,
    get_topic(QueueDay.ServiceEnded): _ended,
}

TOPICS = frozenset(_PARSE)
"""The topics :func:`views` reads from their rows (a fold's ``Projection.raw_topics``)."""


def views(batch: Batch) -> dict[int, View | None]:
    """The views of ``batch``'s rows of :data:`TOPICS`, by position (``None``, or no entry:
    decode the row — a state the structs do not take, another topic). Each row is parsed
    once per group batch, by whichever fold asks first; the others find it parsed."""
    memo: dict[int, View | None] = batch.memo(__name__)
    parse_of = _PARSE.get
    for row in batch.rows():
        parse = parse_of(row.topic)
        if parse is None or row.position in memo:
            continue
        try:
            found = parse(_day(row.originator_id), row.state)
        except (msgspec.DecodeError, ValueError):
            found = None  # the generic decoding says what is wrong, if anything
        memo[row.position] = found
    return memo


_day = lru_cache(maxsize=4096)(UUID)
"""A queue day's id (one per day in a batch: many events each)."""
