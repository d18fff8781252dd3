"""One hall's transactions on the shared pool: ``set_config`` + statements, pipelined."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg

from services.store.errors import translated_errors
from services.store.notifier import notifier_for
from services.store.pool import Pool
from services.store.request_key import RequestKey, SupersededError, superseded
from services.store.statements import (
    APPEND_EVENTS,
    APPEND_KEYED,
    APPEND_ONE_EVENT,
    HAS_LOG,
    ONLY_TO_EXISTING_LOG,
    SET_TENANT,
)
from services.store.tenant import UnknownTenantError

__all__ = ["Params", "TenantSession"]

Params = Sequence[Any] | dict[str, Any]


class TenantSession:
    """Runs statements for one tenant, each call in its own transaction.

    The transaction is pipelined: ``BEGIN``, ``set_config('yanshen.tenant_id', …, true)``, the
    statements and ``COMMIT`` go to the server together, so a call costs one round trip.
    """

    def __init__(self, pool: Pool, tenant_id: str) -> None:
        self.pool = pool
        self.tenant_id = tenant_id

    def append(
        self,
        ids: list[str],
        versions: list[int],
        topics: list[str],
        states: list[bytes],
        tracking: tuple[str, int] | None = None,
        *,
        existing_log: bool = False,
        request_key: RequestKey | None = None,
    ) -> list[int]:
        """Append events (and a tracking position) in one autocommit call; return positions.

        ``existing_log``: only if the hall has a log already, else raise
        :class:`~services.store.tenant.UnknownTenantError` having recorded nothing (checked
        by the append statement itself, in its transaction).

        ``request_key``: the request appending runs under this key; the append also records
        it, in its transaction (:mod:`services.store.request_key`), and raises
        :class:`~services.store.request_key.SupersededError` having recorded nothing when the
        key's claim was taken over by another attempt.

        The commit is then announced (NOTIFY ``'<tenant>:<last position>'``) by the pool's
        :class:`~services.store.notifier.CommitNotifier`, outside the transaction, so that
        halls' commits do not serialise on PostgreSQL's notify lock.
        """
        name, tracked = tracking if tracking is not None else (None, None)
        params: tuple[Any, ...] = (ids, versions, topics, states)
        statement = APPEND_EVENTS
        if len(ids) == 1:  # the common case: scalars are much cheaper to adapt than arrays
            statement, params = APPEND_ONE_EVENT, (ids[0], versions[0], topics[0], states[0])
        args: tuple[Any, ...] = (self.tenant_id, *params, name, tracked)
        if request_key is not None:
            statement = APPEND_KEYED
            key = (request_key.scope, request_key.principal, request_key.key, request_key.attempt)
            args = (*key, self.tenant_id, ids, versions, topics, states, name, tracked)
        try:
            if existing_log:
                rows = self.fetch(statement + ONLY_TO_EXISTING_LOG, (*args, self.tenant_id))
                if not rows:
                    raise UnknownTenantError(self.tenant_id)
            else:
                with translated_errors(), self.pool.connection() as conn:
                    rows = conn.execute(statement, args, prepare=True).fetchall()
        except Exception as error:
            if request_key is not None and superseded(error):
                raise SupersededError from error
            raise
        positions = [int(r[0]) for r in rows]
        if positions:
            notifier_for(self.pool).committed(self.tenant_id, positions[-1])
        return positions

    def has_log(self) -> bool:
        """Whether the hall has a log (a head row: at least one event was ever recorded)."""
        return bool(self.fetch(HAS_LOG, (self.tenant_id,)))

    def fetch(
        self,
        sql: str,
        params: Params,
        *,
        before: Sequence[tuple[str, Params]] = (),
        rows: bool = True,
    ) -> list[tuple[Any, ...]]:
        """Run ``before`` then ``sql`` in one transaction; return the rows of ``sql``."""
        with translated_errors(), self.pool.connection() as conn:
            cursor = conn.cursor()
            error: psycopg.Error | None = None
            with conn.pipeline():
                try:
                    with conn.transaction():
                        conn.execute(SET_TENANT, (self.tenant_id,), prepare=True)
                        for statement, statement_params in before:
                            conn.execute(statement, statement_params, prepare=True)
                        cursor.execute(sql, params, prepare=True)
                except psycopg.Error as e:
                    error = e  # raised after the pipeline closed (no "aborted" warning)
            if error is not None:
                raise error
            return list(cursor.fetchall()) if rows else []
