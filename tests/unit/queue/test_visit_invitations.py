"""一次一评: a visit whose service ends normally at a window is invited to rate, exactly once,
in the same save as the end of its service (``services/evaluations/visits.py``).

The hall of ``conftest``: ZH (items X1) at W1 and W3, BD (no item) at W1 and W2.
"""

from __future__ import annotations

from uuid import UUID

import pytest
from eventsourcing.persistence import OperationalError
from eventsourcing.utils import get_topic

import services.queue.application as queue_application
from services.catalog import CatalogService
from services.catalog.application import ItemTerms
from services.evaluations import (
    Evaluation,
    EvaluationExistsError,
    EvaluationService,
    EvaluationStatus,
    Invitation,
    Rating,
)
from services.evaluations.errors import ItemNotRatedError, ItemWithdrawnError
from services.evaluations.visits import visit_evaluation_id
from services.halls import HallPolicies
from services.queue import ItemNotInQueueError, TicketEndedError, TicketStatus
from tests.unit.queue.support import refused

DAY = "2026-03-02"
SCORES = {"OVERALL": 5, "EFFICIENCY": 5, "SERVICE_LEVEL": 5, "ATTITUDE": 5}


@pytest.fixture
def evaluations(hall_apps, hall) -> EvaluationService:
    app = hall_apps(EvaluationService, "h1")
    app.clock = hall.clock
    return app


def _serve(hall, window: str = "W3", queue: str = "ZH", **issue) -> int:
    """Issue a ticket of ``queue``, call it to ``window`` and start serving it."""
    ticket = hall.issue(queue, **issue)
    badge = {"W1": "S1", "W2": "S2", "W3": "S3"}[window]
    called = hall.call(window)
    assert called.number == ticket.number
    hall.queue.start_service(queue, ticket.number, badge, badge)
    return int(ticket.number)


def _invited(app) -> list[UUID]:
    """The evaluations invited in the hall's log, in order."""
    topic = get_topic(Evaluation.Invited)
    found = app.recorder.select_notifications(start=1, limit=10_000, topics=[topic])
    return [UUID(str(n.originator_id)) for n in found]


def test_a_served_kiosk_ticket_is_invited_with_a_rating_code_for_the_evaluator(hall, evaluations):
    number = _serve(hall)
    ended = hall.queue.end_service("ZH", number, "S3", "COMPLETED", "S3")

    assert ended.ticket.status is TicketStatus.ENDED
    assert ended.invitation is not None
    assert len(ended.rating_code) == 16
    e = evaluations.get_evaluation(ended.invitation.id)
    assert (e.subject_kind.value, e.subject_ref, e.channel.value) == (
        "VISIT",
        f"ZH:{DAY}:1",
        "OFFLINE",
    )
    assert (e.window_code, e.staff_badge, e.item_code, e.applicant_id) == ("W3", "S3", "X1", "")
    assert e.id == visit_evaluation_id("h1", "ZH", DAY, number)
    assert _invited(evaluations) == [e.id]
    # Saved with the end of the service: one commit, the same moment, actor system.
    assert e.created_on == ended.ticket.ended_at
    # Whoever holds the code rates the visit (at the evaluator, or later from the receipt).
    rated = evaluations.submit_rating(
        e.id, Rating("SATISFIED", SCORES), "walk-in-1", rating_code=ended.rating_code
    )
    assert rated.status is EvaluationStatus.RATED


def test_a_ticket_with_an_applicant_id_invites_that_applicant_without_a_code(hall, evaluations):
    number = _serve(hall, channel="MOBILE", applicant_id="a-7")
    ended = hall.queue.end_service("ZH", number, "S3", "CONSULTED", "S3")
    assert ended.invitation is not None
    assert ended.rating_code == ""
    assert ended.invitation.evaluation.applicant_id == "a-7"
    rated = evaluations.submit_rating(ended.invitation.id, Rating("BASIC", SCORES), "a-7")
    assert rated.status is EvaluationStatus.RATED


def test_a_manual_invitation_of_an_invited_visit_is_a_conflict(hall, evaluations):
    """The visit was invited at the window: inviting it by hand is CONFLICT and records
    nothing (the anonymous visit's code was shown once and is not kept to repeat)."""
    number = _serve(hall)
    hall.queue.end_service("ZH", number, "S3", "COMPLETED", "S3")
    again = Invitation("VISIT", f"ZH:{DAY}:{number}", "OFFLINE", window_code="W3")
    code = refused(
        evaluations, EvaluationExistsError, lambda: evaluations.invite_evaluation(again, "S3")
    )
    assert code == "CONFLICT"
    assert len(_invited(evaluations)) == 1


def test_a_visit_invited_by_hand_while_served_is_not_invited_again(hall, evaluations):
    number = _serve(hall)
    by_hand = Invitation("VISIT", f"ZH:{DAY}:{number}", "OFFLINE", "a-1", "W3", "S3")
    manual = evaluations.invite_evaluation(by_hand, "S3")
    ended = hall.queue.end_service("ZH", number, "S3", "COMPLETED", "S3")
    assert ended.ticket.status is TicketStatus.ENDED
    assert ended.invitation is None
    assert _invited(evaluations) == [manual.id]


def test_an_invitation_by_hand_racing_the_end_of_the_service_leaves_one(
    hall, evaluations, monkeypatch
):
    """A manual invitation saved between the end's reads and its save: the save conflicts,
    the end is tried again, sees the invitation and ends the service without another."""
    number = _serve(hall)
    real = queue_application.served_visit_invitation
    raced: list[UUID] = []

    def racing(*args, **kwargs):
        invited = real(*args, **kwargs)
        if not raced:
            by_hand = Invitation("VISIT", f"ZH:{DAY}:{number}", "OFFLINE", window_code="W3")
            raced.append(evaluations.invite_evaluation(by_hand, "S3").id)
        return invited

    monkeypatch.setattr(queue_application, "served_visit_invitation", racing)
    ended = hall.queue.end_service("ZH", number, "S3", "COMPLETED", "S3")
    assert ended.ticket.status is TicketStatus.ENDED
    assert ended.invitation is None
    assert _invited(evaluations) == raced


def test_a_failed_save_records_neither_and_the_retry_invites_once(hall, evaluations, monkeypatch):
    """Nothing acknowledged is lost, nothing is doubled: the end and its invitation are one
    commit. A crash of the save records neither; trying again records both, once; a further
    retry is refused (the ticket ended) and invites nothing more."""
    number = _serve(hall)
    recorder = hall.queue.recorder
    insert = recorder.insert_events
    crashes = [OperationalError("server closed the connection")]

    def crashing(*args, **kwargs):
        if crashes:
            raise crashes.pop()
        return insert(*args, **kwargs)

    monkeypatch.setattr(recorder, "insert_events", crashing)
    before = recorder.max_notification_id()
    with pytest.raises(OperationalError):
        hall.queue.end_service("ZH", number, "S3", "COMPLETED", "S3")
    assert recorder.max_notification_id() == before
    assert hall.queue.get_ticket("ZH", number).status is TicketStatus.SERVING
    assert _invited(evaluations) == []

    ended = hall.queue.end_service("ZH", number, "S3", "COMPLETED", "S3")
    assert ended.invitation is not None
    assert _invited(evaluations) == [ended.invitation.id]
    refused(
        hall.queue,
        TicketEndedError,
        lambda: hall.queue.end_service("ZH", number, "S3", "COMPLETED", "S3"),
    )
    assert _invited(evaluations) == [ended.invitation.id]


def test_no_show_and_removed_tickets_are_not_invited(hall, evaluations):
    first = hall.issue("ZH")
    hall.call("W3")
    assert hall.queue.mark_no_show("ZH", first.number, "S3", "S3").status is TicketStatus.NO_SHOW
    second = hall.issue("ZH")
    hall.queue.remove_ticket("ZH", second.number, "离开", "kiosk-1")
    assert hall.queue.get_ticket("ZH", second.number).status is TicketStatus.REMOVED
    assert _invited(evaluations) == []


def test_a_visit_transferred_to_another_queue_is_invited_once_where_it_ends(hall, evaluations):
    number = _serve(hall, channel="MOBILE", applicant_id="a-2")
    went_on = hall.queue.transfer_ticket("ZH", number, "S3", to_queue_code="BD", badge="S3")
    assert hall.queue.get_ticket("ZH", number).status is TicketStatus.TRANSFERRED
    assert _invited(evaluations) == []  # the first service did not end normally
    assert hall.call("W2").number == went_on.number
    hall.queue.start_service("BD", went_on.number, "S2", "S2")
    ended = hall.queue.end_service("BD", went_on.number, "S2", "ACCEPTED", "S2")

    assert ended.invitation is not None
    e = ended.invitation.evaluation
    assert (e.subject_ref, e.window_code, e.staff_badge) == (
        f"BD:{DAY}:{went_on.number}",
        "W2",
        "S2",
    )
    assert (e.applicant_id, e.item_code) == ("a-2", "")  # BD names no item
    assert _invited(evaluations) == [e.id]


def test_a_visit_transferred_to_a_window_is_invited_once_when_its_last_service_ends(
    hall, evaluations
):
    number = _serve(hall)  # at W3
    hall.queue.transfer_ticket("ZH", number, "S3", to_window_code="W1", badge="S3")
    assert hall.call("W1").number == number
    hall.queue.start_service("ZH", number, "S1", "S1")
    ended = hall.queue.end_service("ZH", number, "S1", "COMPLETED", "S1")
    assert ended.invitation is not None
    assert (ended.invitation.evaluation.window_code, ended.invitation.evaluation.staff_badge) == (
        "W1",
        "S1",
    )
    assert _invited(evaluations) == [ended.invitation.id]
    refused(hall.queue, TicketEndedError, lambda: hall.queue.remove_ticket("ZH", number, "x", "a"))


def test_the_item_is_named_when_the_queue_serves_one_rated_item(hall, hall_apps, evaluations):
    catalog = hall_apps(CatalogService, "h1")
    catalog.publish_service_item("X2", ItemTerms(name="咨询", category="OTHER"), "admin")
    hall.queue.reconfigure_queue("ZH", "综合受理", "A", ["X1", "X2"], "admin")
    several = _serve(hall)
    ended = hall.queue.end_service("ZH", several, "S3", "COMPLETED", "S3")
    assert ended.invitation is not None
    assert ended.invitation.evaluation.item_code == ""

    hall.queue.reconfigure_queue("ZH", "综合受理", "A", ["X1"], "admin")
    catalog.withdraw_service_item("X1", "停办", "admin")
    withdrawn = _serve(hall)
    ended = hall.queue.end_service("ZH", withdrawn, "S3", "COMPLETED", "S3")
    assert ended.invitation is not None
    assert ended.invitation.evaluation.item_code == ""


def _two_items(hall, hall_apps) -> CatalogService:
    """ZH serves X1 and X2 (both published, rated); the catalog also has X3, not ZH's."""
    catalog = hall_apps(CatalogService, "h1")
    for code in ("X2", "X3"):
        catalog.publish_service_item(code, ItemTerms(name=code, category="OTHER"), "admin")
    hall.queue.reconfigure_queue("ZH", "综合受理", "A", ["X1", "X2"], "admin")
    return catalog


def test_the_item_named_at_the_end_of_the_service_is_the_invitations(hall, hall_apps, evaluations):
    """A queue of several items: the item staff name as handled is the invitation's (so
    好评率 per 事项 counts the visit); without one, the visit is still the hall's."""
    _two_items(hall, hall_apps)
    named = _serve(hall)
    ended = hall.queue.end_service("ZH", named, "S3", "COMPLETED", "S3", item_code="X2")
    assert ended.ticket.status is TicketStatus.ENDED
    assert ended.invitation is not None
    assert evaluations.get_evaluation(ended.invitation.id).item_code == "X2"  # as stored

    unnamed = _serve(hall)
    invited = hall.queue.end_service("ZH", unnamed, "S3", "COMPLETED", "S3").invitation
    assert invited is not None
    assert invited.evaluation.item_code == ""
    assert _invited(evaluations) == [ended.invitation.id, invited.id]


def test_an_item_the_queue_does_not_serve_is_refused_and_nothing_ends(hall, hall_apps, evaluations):
    _two_items(hall, hall_apps)
    number = _serve(hall)
    with pytest.raises(ItemNotInQueueError, match="its items: X1, X2"):
        hall.queue.end_service("ZH", number, "S3", "COMPLETED", "S3", item_code="X3")
    for code in ("X3", "NOPE"):  # in the catalog or not: not ZH's
        refusal = refused(
            hall.queue,
            ItemNotInQueueError,
            lambda code=code: hall.queue.end_service(
                "ZH", number, "S3", "COMPLETED", "S3", item_code=code
            ),
        )
        assert refusal == "VALIDATION"
    assert hall.queue.get_ticket("ZH", number).status is TicketStatus.SERVING
    assert _invited(evaluations) == []
    # The service goes on and ends with one of the queue's items.
    ended = hall.queue.end_service("ZH", number, "S3", "COMPLETED", "S3", item_code="X1")
    assert ended.invitation is not None
    assert ended.invitation.evaluation.item_code == "X1"


def test_a_withdrawn_item_is_refused_as_invite_evaluation_refuses_it(hall, hall_apps, evaluations):
    """Still listed by the queue, but withdrawn from the catalog: CONFLICT, as for
    ``inviteEvaluation``, and the ticket is not ended."""
    catalog = _two_items(hall, hall_apps)
    catalog.withdraw_service_item("X2", "停办", "admin")
    number = _serve(hall)
    end = lambda: hall.queue.end_service(  # noqa: E731
        "ZH", number, "S3", "COMPLETED", "S3", item_code="X2"
    )
    assert refused(hall.queue, ItemWithdrawnError, end) == "CONFLICT"
    by_hand = Invitation("VISIT", "other", "OFFLINE", window_code="W3", item_code="X2")
    refused(evaluations, ItemWithdrawnError, lambda: evaluations.invite_evaluation(by_hand, "S3"))
    assert hall.queue.get_ticket("ZH", number).status is TicketStatus.SERVING
    assert _invited(evaluations) == []


def test_a_queue_item_missing_from_the_catalog_is_refused_as_not_in_it(hall, evaluations):
    """A queue configured (before the catalog checked its items) with an unknown code."""
    queue = hall.queue.get_queue("ZH")
    queue.reconfigure("综合受理", "A", ["X1", "GONE"], hall.clock(), "admin")
    hall.queue.save(queue)
    number = _serve(hall)
    end = lambda: hall.queue.end_service(  # noqa: E731
        "ZH", number, "S3", "COMPLETED", "S3", item_code="GONE"
    )
    assert refused(hall.queue, ItemNotRatedError, end) == "VALIDATION"
    assert hall.queue.get_ticket("ZH", number).status is TicketStatus.SERVING


def test_a_named_item_that_takes_no_ratings_invites_nothing(hall, hall_apps, evaluations):
    """X2 takes no ratings, X1 does: naming X2 ends the service uninvited (as a one-item
    queue of X2 would), naming X1 invites it under X1."""
    catalog = _two_items(hall, hall_apps)
    catalog.revise_service_item("X2", ItemTerms(name="咨询", category="OTHER", rated=False), "a")
    unrated = _serve(hall)
    ended = hall.queue.end_service("ZH", unrated, "S3", "CONSULTED", "S3", item_code="X2")
    assert ended.ticket.status is TicketStatus.ENDED
    assert ended.invitation is None
    assert _invited(evaluations) == []
    rated = _serve(hall)
    invited = hall.queue.end_service("ZH", rated, "S3", "COMPLETED", "S3", item_code="X1")
    assert invited.invitation is not None
    assert invited.invitation.evaluation.item_code == "X1"


def test_a_named_item_is_checked_even_when_the_hall_invites_nothing(hall, hall_apps):
    """The argument is refused the same whatever the policy: a client learns of a wrong
    item before a hall turns the invitations on."""
    _two_items(hall, hall_apps)
    hall.policies(invite_served_visits=False)
    number = _serve(hall)
    end = lambda: hall.queue.end_service(  # noqa: E731
        "ZH", number, "S3", "COMPLETED", "S3", item_code="X3"
    )
    refused(hall.queue, ItemNotInQueueError, end)
    ended = hall.queue.end_service("ZH", number, "S3", "COMPLETED", "S3", item_code="X2")
    assert ended.invitation is None


def test_a_queue_whose_one_item_takes_no_ratings_invites_nothing(hall, hall_apps, evaluations):
    catalog = hall_apps(CatalogService, "h1")
    catalog.revise_service_item(
        "X1", ItemTerms(name="综合受理", category="OTHER", rated=False), "a"
    )
    number = _serve(hall)
    ended = hall.queue.end_service("ZH", number, "S3", "COMPLETED", "S3")
    assert ended.ticket.status is TicketStatus.ENDED
    assert ended.invitation is None
    assert _invited(evaluations) == []


def test_a_queue_whose_items_all_take_no_ratings_invites_nothing(hall, hall_apps, evaluations):
    """Several items, none rated: whichever was handled takes no ratings, so the visit is
    not invited (not rated as the hall's); one rated item among them invites it again."""
    catalog = hall_apps(CatalogService, "h1")
    unrated = ItemTerms(name="免费热线咨询", category="OTHER", rated=False)
    catalog.revise_service_item("X1", unrated, "a")
    catalog.publish_service_item("X2", unrated, "a")
    hall.queue.reconfigure_queue("ZH", "综合受理", "A", ["X1", "X2"], "admin")
    number = _serve(hall)
    ended = hall.queue.end_service("ZH", number, "S3", "COMPLETED", "S3")
    assert ended.ticket.status is TicketStatus.ENDED
    assert ended.invitation is None
    assert _invited(evaluations) == []

    catalog.revise_service_item("X2", ItemTerms(name="咨询", category="OTHER"), "a")
    later = _serve(hall)
    invited = hall.queue.end_service("ZH", later, "S3", "COMPLETED", "S3").invitation
    assert invited is not None
    assert invited.evaluation.item_code == ""  # several items: rated as the hall's


def test_a_hall_that_turned_the_policy_off_invites_nothing(hall, evaluations):
    hall.policies(invite_served_visits=False)
    number = _serve(hall)
    ended = hall.queue.end_service("ZH", number, "S3", "COMPLETED", "S3")
    assert ended.ticket.status is TicketStatus.ENDED
    assert ended.invitation is None
    assert _invited(evaluations) == []
    hall.policies(invite_served_visits=True)
    later = _serve(hall)
    assert hall.queue.end_service("ZH", later, "S3", "COMPLETED", "S3").invitation is not None


def test_an_unrated_invited_visit_defaults_after_the_halls_period(hall, evaluations):
    hall.policies(unrated_default_days=3)
    number = _serve(hall)
    ended = hall.queue.end_service("ZH", number, "S3", "COMPLETED", "S3")
    assert ended.invitation is not None
    assert ended.invitation.evaluation.default_on.isoformat() == "2026-03-05"
    hall.clock.advance(days=3)
    assert evaluations.apply_default_ratings() == 1
    assert evaluations.get_evaluation(ended.invitation.id).status is EvaluationStatus.DEFAULTED


def test_the_policy_is_a_switch(hall):
    assert HallPolicies().invite_served_visits is True
    with pytest.raises(Exception, match="must be true or false"):
        HallPolicies(invite_served_visits=1)  # type: ignore[arg-type]
