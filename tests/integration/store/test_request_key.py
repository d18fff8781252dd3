"""Appends under a request key record it in their own transaction (``idempotency_applied``):
once per key, with the first event's position; not when the append fails; under the key's
hall, which may differ from the hall appended to; never without a key."""

from __future__ import annotations

from typing import Any

import pytest
from eventsourcing.persistence import IntegrityError

from gateway.idempotency import store
from projections.runtime.db import tenant_connection
from services.store import EventStore
from services.store.pool import Pool
from services.store.request_key import RequestKey, applying
from tests.integration.store import domain

_ROWS = "SELECT tenant_id, principal, key, log_id, position FROM idempotency_applied"


def claimed(pool: Pool, scope: str, principal: str, key: str) -> RequestKey:
    """The key of a request that claimed it (as the gateway does before it runs one)."""
    claim = store.claim(pool, scope, principal, key, "hash", 86_400)
    assert claim.owned
    return RequestKey(scope, principal, key, claim.attempt)


def _recorded(pool: Pool, scope: str) -> list[tuple[Any, ...]]:
    """The rows a transaction of ``scope`` sees (as the gateway's claim reads them)."""
    with tenant_connection(pool, scope) as conn:
        return conn.execute(_ROWS + " ORDER BY key").fetchall()


def test_a_request_key_is_recorded_once_with_its_first_position(
    event_store: EventStore, app_pool: Pool, tenant_id: str
) -> None:
    app = event_store.application(domain.Tickets, tenant_id)
    app.issue("A000")
    with applying(claimed(app_pool, tenant_id, "u1", "k-1")):
        ticket = app.issue("A001")  # position 2
        app.call(ticket, "W01")  # position 3: a second append of the same request
    app.issue("A002")  # no key: records nothing
    assert _recorded(app_pool, tenant_id) == [(tenant_id, "u1", "k-1", tenant_id, 2)]


def test_an_append_that_fails_records_no_key(
    event_store: EventStore, app_pool: Pool, tenant_id: str
) -> None:
    app = event_store.application(domain.Tickets, tenant_id)
    ticket = app.issue("A001")
    stored = app.recorder.select_events(ticket)
    with applying(claimed(app_pool, tenant_id, "u1", "k-1")), pytest.raises(IntegrityError):
        app.recorder.insert_events(stored)  # the same (originator, version) again
    assert _recorded(app_pool, tenant_id) == []


def test_the_key_is_kept_under_its_own_hall(
    event_store: EventStore, app_pool: Pool, tenant_id: str
) -> None:
    """A platform caller's key ('') appending to a hall: the row is the platform scope's,
    naming the hall appended to, and row-level security keeps it out of the hall's sight."""
    app = event_store.application(domain.Tickets, tenant_id)
    with applying(claimed(app_pool, "", "operator", f"k-{tenant_id}")):
        app.issue("A001")
    assert (("", "operator", f"k-{tenant_id}", tenant_id, 1)) in _recorded(app_pool, "")
    assert _recorded(app_pool, tenant_id) == []
    with tenant_connection(app_pool, "") as conn:  # the platform scope's rows, for other tests
        conn.execute("DELETE FROM idempotency_applied WHERE key = %s", (f"k-{tenant_id}",))
        conn.execute("DELETE FROM idempotency_keys WHERE key = %s", (f"k-{tenant_id}",))


def test_appends_without_a_key_record_nothing(
    event_store: EventStore, app_pool: Pool, tenant_id: str
) -> None:
    app = event_store.application(domain.Tickets, tenant_id)
    with applying(claimed(app_pool, tenant_id, "u1", "k-1")):
        pass  # a keyed request that appended nothing
    ticket = app.issue("A001")
    app.call(ticket, "W01")
    assert _recorded(app_pool, tenant_id) == []


def test_appends_only_to_an_existing_log_record_the_key_too(
    event_store: EventStore, app_pool: Pool, tenant_id: str
) -> None:
    """``existing_log=True`` (audit records): the key is recorded when the hall has a log,
    and nothing is when it has none."""
    app = event_store.application(domain.Tickets, tenant_id)
    other = event_store.application(domain.Tickets, f"{tenant_id}-none")
    app.issue("A000")
    ticket = domain.Ticket("A001")
    stored = [app.mapper.to_stored_event(e) for e in ticket.collect_events()]
    with applying(claimed(app_pool, tenant_id, "u1", "k-1")):
        assert app.recorder.insert_events(stored, existing_log=True) == [2]
    elsewhere = claimed(app_pool, f"{tenant_id}-none", "u1", "k-1")
    with applying(elsewhere), pytest.raises(LookupError):
        other.recorder.insert_events(stored, existing_log=True)
    assert _recorded(app_pool, tenant_id) == [(tenant_id, "u1", "k-1", tenant_id, 2)]
    assert _recorded(app_pool, f"{tenant_id}-none") == []
