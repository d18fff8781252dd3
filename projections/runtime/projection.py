"""The base of every projection: one handler per event type, writing on the given cursor."""

from __future__ import annotations

from typing import Any, ClassVar

import psycopg

__all__ = ["Projection"]


class Projection:
    """Turns one hall's events into rows of a read model.

    Subclasses set :attr:`name` and define their own ``@singledispatchmethod apply``
    whose base case ignores the event, with one ``@apply.register`` handler per event
    type (a dispatcher of their own, so projections never share handlers). Handlers
    write with ``conn`` only, inside the worker's transaction that also records the
    projection's position, so an event is applied exactly once.
    """

    name: ClassVar[str]
    """Stable name; the tracking position is kept per (projection, hall)."""

    @property
    def consumer(self) -> str:
        return f"projection:{self.name}"

    def apply(self, event: Any, conn: psycopg.Connection, tenant_id: str, position: int) -> None:
        raise NotImplementedError
