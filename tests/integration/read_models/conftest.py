"""Fixtures of the read-model tests: halls with a catalog and staff, commands at chosen
moments, and a small GraphQL helper.

A moment is set on the application's clock, which decides deadlines, default dates and
overdue checks and is every event's timestamp, so months and days in the read models are the
ones the test chose.

Every read model is fed by real commands through the real store, then brought up to date by
the session's projection worker (``project()``), then read through the gateway over HTTP.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar
from uuid import UUID

import httpx
import pytest

from deploy.bootstrap import Platform
from services.catalog import CatalogService
from services.catalog.application import ItemTerms
from services.complaints import ComplaintService
from services.complaints.application import ComplaintDetails
from services.evaluations import EvaluationService, Invitation, Rating
from services.evaluations.policies import rectification_id_for
from services.halls import HallRegistry
from services.places import PlacesService
from services.places.domain import Window
from services.rectifications import Rectification
from services.shared.application import HallApplication
from services.staff import StaffService, find_staff

A = TypeVar("A", bound=HallApplication)

ITEM = "BDB-001"
MATERIALS = ["身份证", "授权委托书", "营业执照"]


def moment(day: str, hour: int = 1) -> datetime:
    """``day`` (ISO) at ``hour`` o'clock UTC (09:00 in Beijing for the default)."""
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def codes(response: httpx.Response) -> list[str]:
    """The ``extensions.code`` of every error of a GraphQL response."""
    return [e["extensions"]["code"] for e in response.json().get("errors") or []]


def data(response: httpx.Response, field: str) -> Any:
    """The field of a response that must have no errors."""
    body = response.json()
    assert "errors" not in body, response.text
    return body["data"][field]


def edges(connection: dict[str, Any]) -> list[dict[str, Any]]:
    """The nodes of a connection, in order."""
    return [edge["node"] for edge in connection["edges"]]


def _setup(platform: Platform, hall: str) -> str:
    platform.hall_app(HallRegistry, hall).register_hall("读模型测试大厅", "苏州", "op")
    terms = ItemTerms(
        name="帮办代办（全程代办）",
        category="ASSISTANCE",
        materials=list(MATERIALS),
        promised_working_days=5,
    )
    platform.hall_app(CatalogService, hall).publish_service_item(ITEM, terms, "admin-1")
    staff = platform.hall_app(StaffService, hall)
    staff.onboard_staff("S001", "代办员甲", "AGENT", ["帮办代办"], "admin-1")
    staff.onboard_staff("S002", "代办员乙", "AGENT", ["帮办代办"], "admin-1")
    return hall


@pytest.fixture
def hall(platform: Platform, tenant_id: str) -> str:
    """A registered hall with the 帮办代办 item ``BDB-001`` and agents S001, S002."""
    return _setup(platform, tenant_id)


@pytest.fixture
def other_hall(platform: Platform, tenant_id: str) -> str:
    """A second hall, set up like :func:`hall`."""
    return _setup(platform, f"{tenant_id}-b")


@pytest.fixture
def app_at(platform: Platform) -> Callable[[type[A], str, datetime], A]:
    """``app_at(AppClass, hall, moment)``: the hall's application with its clock at
    ``moment``; the events it records are stamped ``moment``."""

    def make(app_cls: type[A], hall: str, at: datetime) -> A:
        app = platform.hall_app(app_cls, hall)
        app.clock = lambda: at  # type: ignore[method-assign]
        return app

    return make


def serving(app_at: Any, hall: str, day: str, window: str = "", staff: str = "") -> None:
    """Configure ``window`` and onboard ``staff`` ('' for none) on ``day`` unless the hall has
    them already: an invitation names only the hall's window and staff."""
    places = app_at(PlacesService, hall, moment(day))
    if window and not isinstance(places.get_or_none(Window.create_id(hall, window)), Window):
        places.configure_window(window, f"窗口{window}", "COMPREHENSIVE", [], "admin-1")
    members = app_at(StaffService, hall, moment(day))
    if staff and find_staff(members, staff) is None:
        members.onboard_staff(staff, f"员工{staff}", "WINDOW_STAFF", [], "admin-1")


def bad_rating(app_at: Any, hall: str, ref: str, day: str, window: str, staff: str) -> UUID:
    """A 不满意 rating of a visit at ``window`` served by ``staff`` ('' for none); returns the
    rectification it opens."""
    serving(app_at, hall, day, window, staff)
    app = app_at(EvaluationService, hall, moment(day))
    invitation = Invitation("VISIT", ref, "OFFLINE", "a-1", window, staff, "")
    evaluation = app.invite_evaluation(invitation, staff or "S-window")
    rating = Rating("DISSATISFIED", {"OVERALL": 2}, voluntary=True)
    return rectification_id_for(app.submit_rating(evaluation.id, rating, "a-1"))


def substantiated_complaint(app_at: Any, hall: str, day: str) -> UUID:
    """A complaint against W02/S002 found substantiated; returns the rectification it opens."""
    app = app_at(ComplaintService, hall, moment(day))
    details = ComplaintDetails(
        channel="PHONE",
        facts="推诿",
        applicant_id="a-2",
        complainant_name="某某",
        respondent_window="W02",
        respondent_badge="S002",
    )
    complaint = app.receive_complaint(details, "a-2")
    app.accept_complaint(complaint.id, "INTERVENTION", "admin-1")
    app.investigate_complaint(complaint.id, "SUBSTANTIATED", "属实", "sup-1")
    return Rectification.create_id(hall, "COMPLAINT", f"{complaint.id}#1")
