"""Reading several aggregates in one round trip (``HallApplication.reading_ahead``): the same
aggregates as reads one by one, each answered once, never staler than a save in the block,
a cached one from its cached version, personal data opened, nothing kept outside the block."""

from __future__ import annotations

import threading
import uuid
from typing import Any, ClassVar

import pytest
from eventsourcing.persistence import IntegrityError

from services.cases import Applicant, CaseRequest, CaseService
from services.privacy import ERASED, PrivacyService
from services.shared.application import HallApplication
from services.store import EventStore
from services.store.session import TenantSession
from tests.integration.read_models.conftest import ITEM, _setup
from tests.integration.store import domain as store_tests
from tests.integration.store.domain import Ticket


class Tickets(HallApplication, store_tests.Tickets):
    """The store tests' tickets in a hall application."""


class OtherTickets(Tickets):
    """Another application of the same hall (as in another process)."""


class CachedTickets(Tickets):
    env: ClassVar[dict[str, str]] = {"AGGREGATE_CACHE_MAXSIZE": "16"}


@pytest.fixture
def queries(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any]]:
    """Every statement a hall session runs (in this thread or another), in order."""
    seen: list[tuple[str, Any]] = []
    fetch = TenantSession.fetch

    def counting(self: TenantSession, sql: str, params: Any, **kwargs: Any) -> Any:
        seen.append((sql, params))
        return fetch(self, sql, params, **kwargs)

    monkeypatch.setattr(TenantSession, "fetch", counting)
    return seen


def _state(ticket: Ticket) -> tuple[Any, ...]:
    return ticket.id, ticket.version, ticket.number, ticket.window


def test_reading_ahead_answers_each_read_once_from_one_query(
    event_store: EventStore, tenant_id: str, queries: list[tuple[str, Any]]
) -> None:
    app = event_store.application(Tickets, tenant_id)
    a, b = app.issue("A001"), app.issue("A002")
    app.call(b, "W01")
    missing = uuid.uuid4()
    one_by_one = [_state(app.repository.get(a)), _state(app.repository.get(b))]
    queries.clear()
    with app.reading_ahead(a, b, missing):
        assert len(queries) == 1
        ahead = [_state(app.repository.get(a)), _state(app.repository.get(b))]
        assert app.get_or_none(missing) is None
        assert len(queries) == 1  # all three answered from the one read
        assert _state(app.repository.get(a)) == one_by_one[0]  # a second read asks again
        assert len(queries) == 2
    assert ahead == one_by_one
    assert ahead[1][3] == "W01"
    app.repository.get(b)
    assert len(queries) == 3  # nothing kept after the block


def test_a_save_in_the_block_is_seen_by_a_later_read_in_it(
    event_store: EventStore, tenant_id: str
) -> None:
    app = event_store.application(Tickets, tenant_id)
    a = app.issue("A001")
    with app.reading_ahead(a):
        app.call(a, "W07")  # reads a (answered ahead), saves it
        app.call(a, "W08")  # reads a again: the save is there
        assert _state(app.repository.get(a))[1:] == (3, "A001", "W08")
    ticket: Ticket = app.repository.get(a)
    with app.reading_ahead(a):
        ticket.call("W09")
        app.save(ticket)  # saved before the block used its read of a
        assert _state(app.repository.get(a))[1:] == (4, "A001", "W09")


def test_a_write_after_the_read_still_conflicts_at_the_save(
    event_store: EventStore, tenant_id: str
) -> None:
    app = event_store.application(Tickets, tenant_id)
    a = app.issue("A001")
    other = threading.Thread(
        target=event_store.application(OtherTickets, tenant_id).call, args=(a, "W01")
    )
    with app.reading_ahead(a):
        other.start()  # another writer (a save in this thread would drop the read)
        other.join()
        with pytest.raises(IntegrityError):
            app.call(a, "W02")  # decided on the read ahead (version 1): refused at the save
    assert _state(app.repository.get(a))[1:] == (2, "A001", "W01")


def test_a_cached_aggregate_is_read_from_its_cached_version(
    event_store: EventStore, tenant_id: str, queries: list[tuple[str, Any]]
) -> None:
    app = event_store.application(CachedTickets, tenant_id)
    a = app.issue("A001")
    app.repository.get(a)  # cached at version 1
    event_store.application(OtherTickets, tenant_id).call(a, "W03")  # another process moves it on
    queries.clear()
    with app.reading_ahead(a):
        assert _state(app.repository.get(a))[1:] == (2, "A001", "W03")
    assert len(queries) == 1
    params = queries[0][1]
    assert list(params[0]) == [str(a)]
    assert list(params[1]) == [1]  # only what follows the cached version


def test_reads_are_kept_for_the_thread_that_read_them(
    event_store: EventStore, tenant_id: str, queries: list[tuple[str, Any]]
) -> None:
    app = event_store.application(Tickets, tenant_id)
    a = app.issue("A001")

    def in_a_thread(work: Any) -> None:
        thread = threading.Thread(target=work)
        thread.start()
        thread.join()

    seen: list[tuple[Any, ...]] = []
    with app.reading_ahead(a):  # a at version 1, kept for this thread
        in_a_thread(lambda: event_store.application(OtherTickets, tenant_id).call(a, "W04"))
        queries.clear()
        in_a_thread(lambda: seen.append(_state(app.repository.get(a))))
        assert len(queries) == 1  # the other thread asked the log
        assert _state(app.repository.get(a))[1] == 1  # this one still has its read
    assert seen == [(a, 2, "A001", "W04")]


def test_personal_data_read_ahead_is_opened_and_erased_like_any_read(platform: Any) -> None:
    hall = _setup(platform, f"ahead-{uuid.uuid4().hex[:8]}")
    cases = platform.hall_app(CaseService, hall)
    person = Applicant("p-ahead", "欧阳提前", "110101199003070011", "13800000000")
    case = cases.request_case(
        CaseRequest("ONSITE_GUIDANCE", ITEM, "企业设立登记", "HALL", person), "p-ahead"
    )

    def requested_by() -> str:
        with cases.reading_ahead(case.id):
            requested, *_ = cases.repository.event_store.get(case.id)
            return str(requested.applicant_name)

    assert requested_by() == "欧阳提前"
    platform.hall_app(PrivacyService, hall).erase_personal_data("p-ahead", "申请人请求", "op")
    assert requested_by() == ERASED


def _in_a_thread(work: Any) -> None:
    """``work`` in another thread (a request of the same process: nothing read ahead)."""
    thread = threading.Thread(target=work)
    thread.start()
    thread.join()


def test_a_cached_aggregate_moved_on_meanwhile_is_never_newer_than_a_later_read(
    event_store: EventStore, tenant_id: str
) -> None:
    """Reads in a block never go back in time: after an aggregate came newer than the read
    ahead (its cached copy moved on by another request of the process meanwhile), the
    block's later reads are not answered from the older read ahead. Else a command reading
    ``a`` first, then ``b`` (as a call reads the window's day, then the window) would see
    ``a`` after and ``b`` before a save that changed both together."""
    app = event_store.application(CachedTickets, tenant_id)
    a, b = app.issue("A001"), app.issue("A002")
    app.repository.get(a), app.repository.get(b)  # both cached at version 1
    other = event_store.application(OtherTickets, tenant_id)
    with app.reading_ahead(a, b):  # one snapshot: a and b at version 1

        def change_both() -> None:  # another process changes a and b together
            both: list[Ticket] = [other.repository.get(a), other.repository.get(b)]
            for ticket in both:
                ticket.call("W09")
            other.save(*both)

        _in_a_thread(change_both)
        _in_a_thread(lambda: app.repository.get(a))  # another request moves cached a on
        seen = [_state(app.repository.get(a)), _state(app.repository.get(b))]
    assert [s[1:] for s in seen] == [(2, "A001", "W09"), (2, "A002", "W09")]


def test_a_cached_aggregate_moved_on_within_the_read_ahead_is_still_answered_from_it(
    event_store: EventStore, tenant_id: str, queries: list[tuple[str, Any]]
) -> None:
    """Moved on by another request, but only as far as the read ahead saw: the block's
    reads stay one snapshot, and none asks the log again."""
    app = event_store.application(CachedTickets, tenant_id)
    a, b = app.issue("A001"), app.issue("A002")
    app.repository.get(a), app.repository.get(b)  # both cached at version 1
    event_store.application(OtherTickets, tenant_id).call(a, "W10")  # a at version 2
    with app.reading_ahead(a, b):  # a's version 2 read ahead
        _in_a_thread(lambda: app.repository.get(a))  # cached a moved on to version 2
        queries.clear()
        seen = [_state(app.repository.get(a)), _state(app.repository.get(b))]
        assert queries == []
    assert [s[1:] for s in seen] == [(2, "A001", "W10"), (1, "A002", None)]
