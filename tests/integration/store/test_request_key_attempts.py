"""Attempts of a keyed request are fenced (migration 0011, ``yanshen_append_keyed``).

A claim older than ``STALE_SECONDS`` without a response is taken over by a retry as a new
attempt. If the first attempt was slow rather than dead, both could append: now an append
is made only while its attempt holds the claim, checked in the append's own transaction, so
exactly one of them applies the request; the other is refused (``SupersededError``) having
written nothing, and may neither store a response nor give the key up. The two attempts are
interleaved by hand here, the lease running out by setting the claim's time back.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from gateway.idempotency import store
from projections.runtime.db import tenant_connection
from services.store import EventStore
from services.store.pool import Pool
from services.store.request_key import DataKeysUsed, RequestKey, SupersededError, applying
from services.store.statements import APPEND_KEYED
from tests.integration.store import domain
from tests.integration.store.test_request_key import claimed

_KEY = "k-slow"


def _lease_runs_out(pool: Pool, scope: str) -> None:
    """The claim's 60 s pass (its time is set back), as a retry would find it."""
    with tenant_connection(pool, scope) as conn:
        changed = conn.execute(
            "UPDATE idempotency_keys SET created_at = created_at - make_interval(secs => %s) "
            "WHERE tenant_id = %s AND key = %s",
            (store.STALE_SECONDS + 1, scope, _KEY),
        ).rowcount
    assert changed == 1


def _take_over(pool: Pool, scope: str) -> RequestKey:
    claim = store.claim(pool, scope, "u1", _KEY, "hash", 86_400)
    assert claim.owned, claim
    return RequestKey(scope, "u1", _KEY, claim.attempt)


def _kept(pool: Pool, scope: str) -> tuple[Any, ...]:
    """The key's (response, attempt) and its record of being applied."""
    with tenant_connection(pool, scope) as conn:
        row = conn.execute(
            "SELECT response, attempt::text FROM idempotency_keys "
            "WHERE tenant_id = %s AND key = %s",
            (scope, _KEY),
        ).fetchone()
        applied = conn.execute(
            "SELECT log_id, position FROM idempotency_applied WHERE tenant_id = %s AND key = %s",
            (scope, _KEY),
        ).fetchall()
    assert row is not None
    return row[0], row[1], applied


def test_a_superseded_attempt_appends_nothing_and_the_retry_applies(
    event_store: EventStore, app_pool: Pool, tenant_id: str
) -> None:
    app = event_store.application(domain.Tickets, tenant_id)
    app.issue("A000")  # position 1
    first = claimed(app_pool, tenant_id, "u1", _KEY)
    _lease_runs_out(app_pool, tenant_id)
    retry = _take_over(app_pool, tenant_id)
    assert retry.attempt != first.attempt

    with applying(first), pytest.raises(SupersededError):
        app.issue("A001")  # the slow first attempt appends after the take-over: refused
    assert app.recorder.max_notification_id() == 1  # nothing written
    assert _kept(app_pool, tenant_id) == (None, retry.attempt, [])

    with applying(retry):
        app.issue("A001")  # position 2
    assert app.recorder.max_notification_id() == 2
    assert _kept(app_pool, tenant_id) == (None, retry.attempt, [(tenant_id, 2)])

    # The superseded attempt can neither store its response nor give the key up.
    store.complete(app_pool, tenant_id, "u1", _KEY, first.attempt, {"data": 1}, DataKeysUsed())
    store.release(app_pool, tenant_id, "u1", _KEY, first.attempt)
    assert _kept(app_pool, tenant_id) == (None, retry.attempt, [(tenant_id, 2)])
    store.complete(app_pool, tenant_id, "u1", _KEY, retry.attempt, {"data": 2}, DataKeysUsed())
    assert _kept(app_pool, tenant_id)[0] == {"data": 2}


def test_the_retry_applying_first_refuses_the_slow_attempt_after_it(
    event_store: EventStore, app_pool: Pool, tenant_id: str
) -> None:
    app = event_store.application(domain.Tickets, tenant_id)
    first = claimed(app_pool, tenant_id, "u1", _KEY)
    _lease_runs_out(app_pool, tenant_id)
    retry = _take_over(app_pool, tenant_id)

    with applying(retry):
        app.issue("A001")  # position 1
    with applying(first), pytest.raises(SupersededError):
        app.issue("A002")
    assert app.recorder.max_notification_id() == 1
    assert _kept(app_pool, tenant_id) == (None, retry.attempt, [(tenant_id, 1)])


def test_a_slow_attempt_that_applied_before_the_retry_keeps_its_claim(
    event_store: EventStore, app_pool: Pool, tenant_id: str
) -> None:
    """Its append is seen: the retry answers ALREADY_APPLIED instead of taking over, and the
    slow attempt goes on (a later append, its response) as the request's one attempt."""
    app = event_store.application(domain.Tickets, tenant_id)
    first = claimed(app_pool, tenant_id, "u1", _KEY)
    with applying(first):
        ticket = app.issue("A001")  # position 1
    _lease_runs_out(app_pool, tenant_id)
    retry = store.claim(app_pool, tenant_id, "u1", _KEY, "hash", 86_400)
    assert not retry.owned
    assert retry.response is not None
    assert retry.response["errors"][0]["code"] == store.ALREADY_APPLIED
    with applying(first):
        app.call(ticket, "W01")  # position 2
    store.complete(app_pool, tenant_id, "u1", _KEY, first.attempt, {"data": 1}, DataKeysUsed())
    assert _kept(app_pool, tenant_id) == ({"data": 1}, first.attempt, [(tenant_id, 1)])


def test_a_take_over_waits_for_an_append_in_flight_and_then_sees_it(
    event_store: EventStore, app_pool: Pool, tenant_id: str
) -> None:
    """The slow attempt's append has not committed when the retry comes: the retry waits for
    it (the append holds the claim row) and then answers ALREADY_APPLIED, not running the
    request a second time."""
    app = event_store.application(domain.Tickets, tenant_id)
    first = claimed(app_pool, tenant_id, "u1", _KEY)
    _lease_runs_out(app_pool, tenant_id)
    stored = [app.mapper.to_stored_event(e) for e in domain.Ticket("A001").collect_events()]
    found: list[store.Claim] = []
    with app_pool.connection() as conn, conn.transaction():
        key = (first.scope, first.principal, first.key, first.attempt)
        ids, versions = (
            [str(e.originator_id) for e in stored],
            [e.originator_version for e in stored],
        )
        states = ([e.topic for e in stored], [bytes(e.state) for e in stored])
        conn.execute(APPEND_KEYED, (*key, tenant_id, ids, versions, *states, None, None))
        retry = threading.Thread(
            target=lambda: found.append(
                store.claim(app_pool, tenant_id, "u1", _KEY, "hash", 86_400)
            )
        )
        retry.start()
        _until_waiting_for_a_lock(app_pool, retry)
    retry.join(10)
    assert len(found) == 1
    assert not found[0].owned
    assert found[0].response is not None
    assert found[0].response["errors"][0]["extensions"] == {"position": 1, "logId": tenant_id}


def _until_waiting_for_a_lock(pool: Pool, thread: threading.Thread) -> None:
    """Until a lock is waited for (the retry's claim) or ``thread`` ended (it did not wait)."""
    deadline = time.monotonic() + 10
    while thread.is_alive() and time.monotonic() < deadline:
        with pool.connection() as conn:
            waiting = conn.execute("SELECT count(*) FROM pg_locks WHERE NOT granted").fetchone()
        if waiting and waiting[0]:
            return
        time.sleep(0.02)
