"""A 帮办代办 hall in memory for the case tests: hall, catalog, staff and the case service."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder
from eventsourcing.popo import POPOApplicationRecorder

from services.cases import Applicant, CaseRequest, CaseService
from services.catalog import CatalogService
from services.catalog.application import ItemTerms
from services.halls import HallRegistry
from services.shared.application import HallApplication
from services.shared.working_days import CHINA_TZ
from services.staff import StaffService

HALL = "h1"
ITEM = "BDB-001"
MATERIALS = ["身份证", "委托书", "营业执照"]
PROMISED_DAYS = 5
APPLICANT = Applicant("app-1", "张三", "110101199003070011", "13800000000", "苏州市姑苏区")


class Clock:
    """A clock the tests move by hand; starts on Tuesday 2026-09-29, 10:00 in Beijing."""

    def __init__(self) -> None:
        self.now = datetime(2026, 9, 29, 10, tzinfo=CHINA_TZ)

    def __call__(self) -> datetime:
        return self.now

    def set(self, year: int, month: int, day: int, hour: int = 10) -> None:
        self.now = datetime(year, month, day, hour, tzinfo=CHINA_TZ)

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def _app(cls: type[Any], recorder: ApplicationRecorder, clock: Clock) -> Any:
    class InMemory(cls):  # type: ignore[misc,valid-type]
        name = cls.__name__

        def construct_recorder(self) -> ApplicationRecorder:
            return recorder

    app: HallApplication = InMemory()
    app.hall_id = HALL
    app.clock = clock  # type: ignore[method-assign]
    return app


@dataclass
class Hall:
    """One registered hall with a 帮办代办 item, two staff members and the case service."""

    cases: CaseService
    catalog: CatalogService
    staff: StaffService
    registry: HallRegistry
    clock: Clock

    def request(self, mode: str = "FULL_AGENCY", item: str = ITEM, **changes: Any) -> UUID:
        request = CaseRequest(
            mode=mode,
            item_code=item,
            matter="企业设立登记",
            channel="HALL",
            applicant=changes.pop("applicant", APPLICANT),
        )
        return self.cases.request_case(request, actor="applicant-1").id

    def position(self) -> int:
        return self.cases.recorder.max_notification_id() or 0

    def events(self, case_id: UUID) -> list[Any]:
        return list(self.cases.events.get(case_id))


def _ids() -> Iterator[UUID]:
    n = 0
    while True:
        n += 1
        yield UUID(int=n)


def make_hall(clock: Clock | None = None) -> Hall:
    """A fresh hall sharing one in-memory log between its applications."""
    clock = clock or Clock()
    recorder = POPOApplicationRecorder()
    registry = _app(HallRegistry, recorder, clock)
    catalog = _app(CatalogService, recorder, clock)
    staff = _app(StaffService, recorder, clock)
    cases = _app(CaseService, recorder, clock)
    ids = _ids()
    cases.new_case_id = lambda: next(ids)
    registry.register_hall("一号大厅", "苏州", "op")
    terms = ItemTerms(
        name="帮办代办",
        category="ASSISTANCE",
        materials=MATERIALS,
        promised_working_days=PROMISED_DAYS,
    )
    catalog.publish_service_item(ITEM, terms, "admin")
    catalog.publish_service_item(
        "RX-001", ItemTerms(name="免费热线咨询", category="HOTLINE_CONSULTATION"), "admin"
    )
    catalog.publish_service_item("OLD-001", terms, "admin")
    catalog.withdraw_service_item("OLD-001", "merged", "admin")
    for badge, name in (("S001", "王芳"), ("S002", "李明"), ("S003", "赵磊")):
        staff.onboard_staff(badge, name, "AGENT", ["帮办代办"], "admin")
    return Hall(cases=cases, catalog=catalog, staff=staff, registry=registry, clock=clock)
