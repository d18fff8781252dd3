"""The hook through which personal data is sealed in stored events (crypto-shredding).

The recorders pass every batch of stored events through :func:`personal_data` on the way in
(``insert_events``) and out (``select_events``, ``select_notifications``), so applications,
projections, the relay and audits read plaintext while a data subject's key exists and the
erased marker after it was destroyed — without knowing about it. The implementation lives in
``services/privacy`` (see ``docs/adr/0002-crypto-shredding.md``); it is imported on first use
so that the store does not import it at import time (``services.privacy`` builds on the store).

Events without personal fields pass through unchanged: a dict lookup of their topic on the
way in, a byte search for the sealed marker on the way out, no extra round trip.

Readers that select rows from ``events`` themselves (not through a recorder) open them with
:func:`open_rows` on their own connection before decoding, e.g.
``rows = open_rows(conn, tenant_id, rows)``; otherwise personal fields stay sealed
(``{"_sealed_": …}``) in the decoded events.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

import psycopg

from services.store.errors import translated_errors

if TYPE_CHECKING:
    from services.privacy.codec import PersonalDataCodec, StoredLike

    R = TypeVar("R", bound=StoredLike)

__all__ = ["open_rows", "personal_data"]


@cache
def personal_data() -> PersonalDataCodec:
    """The platform's personal data codec (``services.privacy.codec.CODEC``)."""
    from services.privacy.codec import CODEC

    return CODEC


def open_rows(conn: psycopg.Connection[Any], tenant_id: str, rows: list[R]) -> list[R]:
    """Open the sealed personal fields of ``rows`` of ``tenant_id`` read on ``conn``.

    ``rows`` are stored events or row tuples with ``originator_id``, ``originator_version``,
    ``topic`` and ``state``. The keys are read on ``conn`` (in its current transaction; as
    ``yanshen_app`` the hall must be set, as ``yanshen_worker`` it may be any hall).
    """

    def fetch(
        sql: str,
        params: Sequence[Any] | dict[str, Any],
        *,
        before: Sequence[tuple[str, Sequence[Any] | dict[str, Any]]] = (),
        rows: bool = True,
    ) -> list[tuple[Any, ...]]:
        with translated_errors():
            for statement, statement_params in before:
                conn.execute(statement, statement_params)
            cursor = conn.execute(sql, params)
            return list(cursor.fetchall()) if rows else []

    return personal_data().open_events(fetch, tenant_id, rows)
