"""A caller's request key recorded with the appends of its request, in their transactions.

A gateway request sent with an idempotency key runs inside :func:`applying`; every append
the request makes meanwhile, in any hall's log, also records in its own transaction that
the key was applied: one row of ``idempotency_applied`` per (hall of the key, caller, key),
holding the log and position of the request's first event (later appends of the request
leave it as it is; migration ``0010_idempotency_applied.sql``). A request that dies after its
events committed and before its response was stored leaves that row behind, and a retry
under the same key finds it instead of applying the request a second time
(``gateway/idempotency``).

Outside the block (requests without a key, workers, the CLI) appends are unchanged: the
recorder reads the context variable and sends the plain append.

>>> current() is None
True
>>> with applying(RequestKey("demo", "u1", "k-1")):
...     current()
RequestKey(scope='demo', principal='u1', key='k-1')
>>> current() is None
True
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

__all__ = ["RequestKey", "applying", "current"]


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


_current: ContextVar[RequestKey | None] = ContextVar("yanshen_request_key", default=None)
"""The key of the request running in the current task (and the threads it starts with
``asyncio.to_thread``, which copy the context)."""


@contextmanager
def applying(key: RequestKey) -> Iterator[None]:
    """Record ``key`` with every append made in the block."""
    token = _current.set(key)
    try:
        yield
    finally:
        _current.reset(token)


def current() -> RequestKey | None:
    """The key appends of the current context record (``None``: none)."""
    return _current.get()
