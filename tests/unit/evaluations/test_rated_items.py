"""An invitation that names an item needs it in the hall's catalog, published as rated
(``rated=True``) and not withdrawn; refused invitations record nothing."""

from __future__ import annotations

import pytest

from services.catalog import CatalogService
from services.catalog.application import ItemTerms
from services.evaluations import (
    EvaluationStatus,
    Invitation,
    ItemNotRatedError,
    ItemWithdrawnError,
)

HOTLINE = ItemTerms(name="免费热线咨询", category="HOTLINE_CONSULTATION", rated=False)


def _matter(ref: str, item_code: str) -> Invitation:
    return Invitation("MATTER", ref, "ONLINE", applicant_id="u1", item_code=item_code)


@pytest.fixture
def catalog(hall_apps, hall, clock) -> CatalogService:
    app = hall_apps(CatalogService, hall)
    app.clock = clock
    return app


def test_an_item_published_as_not_rated_takes_no_invitation(evaluations, catalog):
    catalog.publish_service_item("HOT-1", HOTLINE, "admin")
    before = evaluations.recorder.max_notification_id()
    with pytest.raises(ItemNotRatedError) as refused:
        evaluations.invite_evaluation(_matter("call-1", "HOT-1"), "S001")
    assert refused.value.code == "VALIDATION"
    assert evaluations.recorder.max_notification_id() == before
    assert evaluations.get_or_none(evaluations.evaluation_id("MATTER", "call-1")) is None


def test_an_item_not_in_the_catalog_takes_no_invitation(evaluations):
    before = evaluations.recorder.max_notification_id()
    with pytest.raises(ItemNotRatedError) as refused:
        evaluations.invite_evaluation(_matter("m-2", "NO-SUCH-ITEM"), "S001")
    assert refused.value.code == "VALIDATION"
    assert evaluations.recorder.max_notification_id() == before


def test_a_withdrawn_item_takes_no_invitation(evaluations, catalog):
    catalog.withdraw_service_item("BDB-001", "停办", "admin")
    before = evaluations.recorder.max_notification_id()
    with pytest.raises(ItemWithdrawnError) as refused:
        evaluations.invite_evaluation(_matter("m-3", "BDB-001"), "S001")
    assert refused.value.code == "CONFLICT"
    assert evaluations.recorder.max_notification_id() == before


def test_the_current_revision_decides_whether_an_item_is_rated(evaluations, catalog):
    catalog.publish_service_item("HOT-1", HOTLINE, "admin")
    rated = ItemTerms(name=HOTLINE.name, category=HOTLINE.category, rated=True)
    catalog.revise_service_item("HOT-1", rated, "admin")
    invited = evaluations.invite_evaluation(_matter("call-2", "HOT-1"), "S001")
    assert (invited.evaluation.status, invited.evaluation.item_code) == (
        EvaluationStatus.INVITED,
        "HOT-1",
    )
    catalog.revise_service_item("HOT-1", HOTLINE, "admin")
    with pytest.raises(ItemNotRatedError):
        evaluations.invite_evaluation(_matter("call-3", "HOT-1"), "S001")


def test_a_rated_item_and_no_item_are_invited(evaluations):
    assert evaluations.invite_evaluation(_matter("m-4", "BDB-001"), "S001").evaluation
    assert evaluations.invite_evaluation(_matter("m-5", ""), "S001").evaluation
