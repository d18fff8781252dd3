"""A day in a hall through the application layer, against the event store's raw append rate.

The mixed workload is what a hall records in a day, in proportion: windows opened by
signed-in staff; tickets issued, called, served and ended (the bulk), each end inviting the
visit to rate in the same save; most visits rated, one in ten badly (which opens a
rectification in the same save); a 帮办代办 case taken through request, acceptance and
materials check; a complaint received and accepted. Every command goes through its
application service on PostgreSQL, with the checks a real command makes. The baseline
appends pre-encoded events of the same hall with the tenant recorder alone (no domain, no
reads), in the same run.
"""

from __future__ import annotations

import time
from typing import Any
from uuid import uuid4

from eventsourcing.persistence import StoredEvent

from bench.common import fresh_database, result
from deploy.bootstrap import Platform
from deploy.demo import seed_demo_hall
from deploy.settings import Settings
from services.cases import CaseService
from services.cases.application import CaseRequest
from services.cases.domain.values import Applicant
from services.complaints import ComplaintService
from services.complaints.application import ComplaintDetails
from services.evaluations import EvaluationService
from services.evaluations.application import Rating
from services.places import PlacesService
from services.queue import QueueService
from services.staff import StaffService

__all__ = ["run"]

HALL = "bench-day"
SCORES = {"OVERALL": 5, "EFFICIENCY": 5, "SERVICE_LEVEL": 4, "ATTITUDE": 5}


class Day:
    """One hall's applications and a command counter."""

    def __init__(self, platform: Platform) -> None:
        self.queue = platform.hall_app(QueueService, HALL)
        self.places = platform.hall_app(PlacesService, HALL)
        self.staff = platform.hall_app(StaffService, HALL)
        self.ratings = platform.hall_app(EvaluationService, HALL)
        self.cases = platform.hall_app(CaseService, HALL)
        self.complaints = platform.hall_app(ComplaintService, HALL)
        self.commands = 0

    def open_hall(self) -> None:
        """Queues, window-to-queue links, staff posts and duty: the start of the day."""
        self.queue.configure_queue("ZH", "综合受理", "A", ["RX-001", "QY-001"], "admin")
        self.places.reconfigure_window(
            "W01", "综合受理窗口", "COMPREHENSIVE", ["RX-001", "QY-001"], ["ZH"], "admin"
        )
        self.staff.assign_to_window("S001", "W01", "A", "admin")
        self.staff.sign_in("S001", "W01", "S001")
        self.places.open_window("W01", "S001", badge="S001")

    def visit(self, i: int) -> None:
        """A kiosk visit: the end of its service invites it to rate (一次一评, in the same
        save, with a rating code); three visits in four are rated, one in ten of those badly."""
        ticket = self.queue.issue_ticket("ZH", "KIOSK", "kiosk")
        self.queue.call_next("W01", "S001", "S001")
        self.queue.start_service("ZH", ticket.number, "S001", "S001")
        ended = self.queue.end_service("ZH", ticket.number, "S001", "COMPLETED", "S001")
        assert ended.invitation is not None, "every served visit is invited"
        self.commands += 4
        if i % 4 != 3:
            level = "DISSATISFIED" if i % 10 == 0 else "SATISFIED"
            self.ratings.submit_rating(
                ended.invitation.id,
                Rating(level, SCORES),
                f"a-{i}",
                rating_code=ended.rating_code,
            )
            self.commands += 1

    def case(self, i: int) -> None:
        case = self.cases.request_case(
            CaseRequest(
                mode="FULL_AGENCY",
                item_code="BDB-001",
                matter="企业设立登记",
                channel="HALL",
                applicant=Applicant(
                    applicant_id=f"c-{i}",
                    name="张三",
                    id_number="32050119900101001X",
                    phone="13800000000",
                ),
            ),
            f"c-{i}",
        )
        self.cases.accept_case(case.id, "S002", "S002")
        self.cases.check_materials(
            case.id, ["申请人身份证件", "授权委托书", "办理事项所需材料"], "S002"
        )
        self.commands += 3

    def complaint(self, i: int) -> None:
        complaint = self.complaints.receive_complaint(
            ComplaintDetails(
                "IN_PERSON",
                "窗口等候时间过长",
                applicant_id=f"p-{i}",
                complainant_name="李四",
                respondent_window="W01",
            ),
            f"p-{i}",
        )
        self.complaints.accept_complaint(complaint.id, "ON_THE_SPOT", "admin")
        self.commands += 2


def _raw_append_rate(platform: Platform, n: int, state_size: int) -> float:
    recorder = platform.store.recorder(HALL)
    state = b"x" * state_size
    events = [[StoredEvent(uuid4(), 1, "bench:Raw.Appended", state)] for _ in range(n)]
    start = time.perf_counter()
    for batch in events:
        recorder.insert_events(batch)
    return n / (time.perf_counter() - start)


def run(quick: bool) -> list[dict[str, Any]]:
    visits = 60 if quick else 600
    url = fresh_database("yanshen_bench_day")
    platform = Platform.open(Settings(database_url=url), url)
    try:
        seed_demo_hall(platform, HALL)
        day = Day(platform)
        day.open_hall()
        start = time.perf_counter()
        for i in range(visits):
            day.visit(i)
            if i % 10 == 0:
                day.case(i)
            if i % 20 == 0:
                day.complaint(i)
        elapsed = time.perf_counter() - start
        rate = day.commands / elapsed
        with platform.app_pool.connection() as conn:
            conn.execute("SELECT set_config('yanshen.tenant_id', %s, false)", (HALL,))
            row = conn.execute("SELECT count(*), avg(length(state))::int FROM events").fetchone()
        events, state_size = (int(row[0]), int(row[1])) if row else (0, 400)
        raw = _raw_append_rate(platform, min(day.commands, 2000), state_size)
    finally:
        platform.close()
    return [
        result(
            "day.mixed_commands",
            rate,
            "commands/s",
            "tenant recorder raw append",
            raw,
            {
                "visits": visits,
                "commands": day.commands,
                "events": events,
                "state_bytes": state_size,
            },
        )
    ]
