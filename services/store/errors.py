"""Translation of psycopg errors into the ``eventsourcing`` library's persistence errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from eventsourcing import persistence as es

__all__ = ["translated_errors"]

_MAP: tuple[tuple[type[psycopg.Error], type[es.PersistenceError]], ...] = (
    (psycopg.InterfaceError, es.InterfaceError),
    (psycopg.OperationalError, es.OperationalError),
    (psycopg.DataError, es.DataError),
    (psycopg.IntegrityError, es.IntegrityError),
    (psycopg.InternalError, es.InternalError),
    (psycopg.ProgrammingError, es.ProgrammingError),
    (psycopg.NotSupportedError, es.NotSupportedError),
    (psycopg.DatabaseError, es.DatabaseError),
)


@contextmanager
def translated_errors() -> Iterator[None]:
    """Re-raise psycopg errors as the library's (``IntegrityError`` for conflicts, ...)."""
    try:
        yield
    except psycopg.Error as e:
        for source, target in _MAP:
            if isinstance(e, source):
                raise target(str(e)) from e
        raise es.PersistenceError(str(e)) from e
