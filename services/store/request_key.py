"""A caller's request key recorded with the appends of its request, in their transactions.

A gateway request sent with an idempotency key runs inside :func:`applying`; every append
the request makes meanwhile, in any hall's log, also records in its own transaction that
the key was applied: one row of ``idempotency_applied`` per (hall of the key, caller, key),
holding the log and position of the request's first event (later appends of the request
leave it as it is; migration ``0010_idempotency_applied.sql``). A request that dies after its
events committed and before its response was stored leaves that row behind, and a retry
under the same key finds it instead of applying the request a second time
(``gateway/idempotency``).

Each claim of a key is one attempt (:attr:`RequestKey.attempt`): a claim taken over by a
retry (the first attempt ran over 60 s) gets a new one, and an append records the key (and
appends at all) only while its attempt still holds the claim, checked in the append's
transaction (migration ``0011_idempotency_attempts.sql``). A superseded attempt's append
raises :class:`SupersededError` (``SUPERSEDED``) having written nothing, so of two attempts
exactly one applies the request.

The block also collects the ids of the data subjects' keys that sealed or opened personal
data meanwhile (:func:`note_data_keys`, called by ``services.privacy.codec``): the response
kept for the key may hold those subjects' plaintext, and is dropped when one of those keys
is destroyed (个人信息删除; ``projections/gateway_state/sql``).

Outside the block (requests without a key, workers, the CLI) appends are unchanged: the
recorder reads the context variable and sends the plain append.

>>> current() is None
True
>>> with applying(RequestKey("demo", "u1", "k-1", "00000000-0000-4000-8000-000000000001")):
...     current().key
'k-1'
>>> current() is None
True
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from uuid import UUID

import psycopg

from services.shared.errors import DomainError

__all__ = [
    "SUPERSEDED_STATE",
    "DataKeysUsed",
    "RequestKey",
    "SupersededError",
    "applying",
    "current",
    "note_data_keys",
    "superseded",
]

SUPERSEDED_STATE = "YS001"
"""The SQLSTATE ``yanshen_append_keyed`` raises for an attempt that no longer holds its claim."""


@dataclass(frozen=True)
class RequestKey:
    """Whose key: where the key is kept and by whom."""

    scope: str
    """The hall the key belongs to (the caller's; ``''`` for platform callers): the
    ``tenant_id`` of the recorded row, which may differ from the hall appended to."""
    principal: str
    """The caller (token subject)."""
    key: str
    """The key as the client sent it."""
    attempt: str
    """The id of the claim this request holds (``idempotency_keys.attempt``, a UUID)."""


@dataclass
class DataKeysUsed:
    """The data keys (``subject_keys.key_id``, per hall) that sealed or opened personal data
    while a keyed request ran."""

    by_hall: dict[str, set[UUID]] = field(default_factory=dict)

    def ids(self) -> list[UUID]:
        """Every key id, in order."""
        return sorted({k for keys in self.by_hall.values() for k in keys})


@dataclass(frozen=True)
class _Running:
    key: RequestKey
    used: DataKeysUsed


_current: ContextVar[_Running | None] = ContextVar("yanshen_request_key", default=None)
"""The keyed request running in the current task (and the threads it starts with
``asyncio.to_thread``, which copy the context: they add to the same :class:`DataKeysUsed`)."""


class SupersededError(DomainError):
    """超时被接管: the request ran so long that a retry with its key took its claim over; this
    attempt recorded nothing (the retry's outcome is the request's)."""

    code = "SUPERSEDED"

    def __init__(self) -> None:
        super().__init__(
            "this request ran so long that a retry with the same Idempotency-Key took it "
            "over; this attempt recorded nothing: send the key again for the request's answer"
        )


@contextmanager
def applying(key: RequestKey) -> Iterator[DataKeysUsed]:
    """Record ``key`` with every append made in the block; collect the data keys used."""
    used = DataKeysUsed()
    token = _current.set(_Running(key, used))
    try:
        yield used
    finally:
        _current.reset(token)


def current() -> RequestKey | None:
    """The key appends of the current context record (``None``: none)."""
    running = _current.get()
    return None if running is None else running.key


def note_data_keys(hall: str, key_ids: Iterable[UUID]) -> None:
    """Note that ``key_ids`` of ``hall`` sealed or opened personal data (in a keyed request;
    elsewhere nothing happens)."""
    running = _current.get()
    if running is not None:
        running.used.by_hall.setdefault(hall, set()).update(key_ids)


def superseded(error: BaseException) -> bool:
    """Whether ``error`` (or what caused it) is an append refused for a superseded attempt."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, psycopg.Error) and seen.sqlstate == SUPERSEDED_STATE:
            return True
        seen = seen.__cause__
    return False
