"""``Idempotency-Key`` on mutations: a retry returns the first response, records nothing.

A client sends ``Idempotency-Key: <1-255 visible ASCII characters>`` with a mutation
(over HTTP). The key is scoped to the caller's hall and token subject. The first request
runs and its response (data and coded errors) is stored; a retry with the same key and the
same body gets that response again, with ``Idempotent-Replayed: true``, without running
anything; the same key with a different body is a ``CONFLICT``. A duplicate sent while the
first is still running waits for it (up to :data:`WAIT_SECONDS`). A first request that
fails with an ``INTERNAL`` or ``UNAVAILABLE`` error stores nothing, so its retry runs again.

While the request runs, its appends record the key in their own transactions
(:mod:`services.store.request_key`). So a request whose events committed is never run
again under its key, even if no response was stored (the process died, or it failed
internally afterwards): its retry gets ``ALREADY_APPLIED``, with the position of its first
event, instead (:func:`~gateway.idempotency.store.already_applied`).

A claim older than :data:`~gateway.idempotency.store.STALE_SECONDS` without a response and
without an append is taken over by a retry, as a new attempt. The first attempt, if it was
slow rather than dead, is fenced off: its appends are refused (``SUPERSEDED``, nothing
recorded) and its response is not stored; the retry's is the request's.

The data keys that sealed or opened personal data while the request ran are stored with its
response: erasing one of their subjects (个人信息删除) drops the kept response, so a replay
never reveals erased personal data (a request that was applied then answers
``ALREADY_APPLIED``).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from collections.abc import AsyncIterator
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from gateway.context import Context, run_sync
from gateway.errors import InputError, classify
from gateway.idempotency import store
from services.shared import ConflictError
from services.store.request_key import DataKeysUsed, RequestKey, applying

__all__ = ["HEADER", "WAIT_SECONDS", "Idempotency"]

HEADER = "idempotency-key"
WAIT_SECONDS = 10.0
"""How long a duplicate waits for the first request with its key."""
_KEY = re.compile(r"^[\x21-\x7e]{1,255}\Z")
_NOT_KEPT = frozenset({"INTERNAL", "UNAVAILABLE"})
"""A response with these codes is not kept: the retry runs (unless the request was applied)."""


class Idempotency(SchemaExtension):
    """Replays the first response of a mutation sent again under the same key."""

    def __init__(self, *, ttl_seconds: int = 86_400) -> None:
        self.ttl_seconds = ttl_seconds

    async def on_execute(self) -> AsyncIterator[None]:
        scope = self._scope()
        if scope is None or self.execution_context.result is not None:  # refused already
            yield
            return
        context, tenant, principal, key = scope
        pool = context.platform.app_pool
        request_hash = self._request_hash()
        try:
            claim = await self._claim(pool, tenant, principal, key, request_hash)
        except Exception as error:  # the table is unreachable: fail the request, run nothing
            self._fail(error)
            yield
            return
        if claim.mismatch:
            self._fail(
                ConflictError(
                    "this Idempotency-Key was used with a different request; use a new key"
                )
            )
        elif claim.response is not None:
            self.execution_context.result = _replayed(claim.response)
            if context.response is not None:
                context.response.headers["Idempotent-Replayed"] = "true"
        elif not claim.owned:
            self._fail(ConflictError("a request with this Idempotency-Key is still running"))
        used = DataKeysUsed()
        recording: AbstractContextManager[DataKeysUsed] = nullcontext(used)
        if claim.owned:  # the appends of the run record the key (no key: nothing to record)
            recording = applying(RequestKey(tenant, principal, key, claim.attempt))
        with recording as used:
            yield
        if claim.owned:
            await self._store(pool, tenant, principal, key, claim.attempt, used)

    def _scope(self) -> tuple[Context, str, str, str] | None:
        """``(context, hall, subject, key)`` when this is a mutation sent with a key."""
        context = self.execution_context.context
        request = getattr(context, "request", None)
        if request is None or not isinstance(context, Context):
            return None
        key = request.headers.get(HEADER)
        if key is None or self.execution_context.operation_type is not OperationType.MUTATION:
            return None
        if not _KEY.match(key):
            self._fail(InputError("Idempotency-Key is 1-255 visible ASCII characters"))
            return None
        principal = context.principal
        if not principal.authenticated:
            self._fail(InputError("Idempotency-Key needs a token: keys are kept per caller"))
            return None
        return context, principal.tenant or "", principal.subject, key

    def _request_hash(self) -> str:
        ec = self.execution_context
        body = {"query": ec.query, "variables": ec.variables, "operationName": ec.operation_name}
        return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()

    async def _claim(
        self, pool: Any, tenant: str, principal: str, key: str, request_hash: str
    ) -> store.Claim:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + WAIT_SECONDS
        while True:
            claim = await run_sync(
                store.claim, pool, tenant, principal, key, request_hash, self.ttl_seconds
            )
            if not claim.pending or loop.time() > deadline:
                return claim
            await asyncio.sleep(0.05)

    async def _store(
        self, pool: Any, tenant: str, principal: str, key: str, attempt: str, used: DataKeysUsed
    ) -> None:
        result = self.execution_context.result
        errors = list(getattr(result, "errors", None) or [])
        coded = [(classify(e), e) for e in errors]
        if result is None or any(code in _NOT_KEPT for (code, _), _ in coded):
            await run_sync(store.release, pool, tenant, principal, key, attempt)
            return
        response = {
            "data": result.data,
            "errors": [
                {"message": message, "path": list(e.path or []) or None, "code": code}
                for (code, message), e in coded
            ],
        }
        await run_sync(store.complete, pool, tenant, principal, key, attempt, response, used)

    def _fail(self, error: Exception) -> None:
        self.execution_context.result = ExecutionResult(
            data=None, errors=[GraphQLError(str(error), original_error=error)]
        )


def _replayed(response: dict[str, Any]) -> ExecutionResult:
    errors = [
        GraphQLError(
            e["message"],
            path=e.get("path"),
            extensions={**(e.get("extensions") or {}), "code": e["code"]},
        )
        for e in response.get("errors") or []
    ]
    return ExecutionResult(data=response.get("data"), errors=errors or None)
