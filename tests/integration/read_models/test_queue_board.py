"""The live queue board, fed by real queue commands through the store, read over GraphQL.

One service day (2026-03-02, Beijing) with the queue application's clock set for every
command; the waiting-time target is 10 minutes. Queue ZH (A…) is served by window W01
(S001), queue BD (B…) by W02 (S002):

=====  ==================================================  ==========================
time   command                                             waiting / service time
=====  ==================================================  ==========================
09:00  A001 issued
09:02  A002 issued
09:04  B001 issued
09:05  A003 issued
09:06  W01 calls A001                                      A001 waited 6 min (360 s)
09:07  W02 calls B001                                      B001 waited 3 min (180 s)
09:08  A001 service starts
09:09  B001 no-show (the hall keeps missed numbers out)
09:12  A001 service ends                                   A001 served 4 min (240 s)
09:15  W01 calls A002                                      A002 waited 13 min (780 s)
09:16  W01 recalls A002
09:17  A002 service starts
09:20  A002 service ends                                   A002 served 3 min (180 s)
09:22  B002 issued
09:23  W02 calls B002                                      B002 waited 1 min (60 s)
09:24  B002 service starts
09:30  B002 service ends                                   B002 served 6 min (360 s)
09:31  A003 transferred to BD: B003 (waits since 09:05)
09:32  A004 issued; 09:33 cancelled
09:40  A005 issued
09:45  W01 calls A005                                      A005 waited 5 min (300 s)
=====  ==================================================  ==========================

Hand-computed: ZH waited 360 + 780 + 300 = 1440 s over 3 calls (average 480, max 780),
served 240 + 180 = 420 s over 2 (average 210, max 240), 1 of 2 served within 10 minutes;
BD waited 180 + 60 = 240 s over 2 (average 120, max 180), served 360 s once, 1 of 1 within
the target; the hall: 1680 s over 5 calls (average 336), 780 s over 3 services (average
260), 2 of 3 served within the target.

Against the target, read at 09:45 (the queue application's clock): ZH has A001 and A005
within, A002 over (A003 went on to BD, A004 left after a minute: neither); BD has B001 and
B002 within, B003 over (waiting since 09:05, still uncalled at 09:45): 4 within and 2 over
in the hall, a share of 2/3. 8 numbers were given to 7 visitors (B003 continues A003).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from typing import Any

import psycopg
import pytest

from gateway.auth import Role
from projections.queue_board import QueueBoardProjection
from projections.queue_board.view import public_board, queue_board
from projections.runtime import Rebuild
from services.halls import HallPolicies, HallRegistry, MissedNumberPolicy
from services.places import PlacesService
from services.queue import QueueService
from services.staff import StaffService
from tests.integration.read_models.conftest import ITEM, codes, data

DAY = "2026-03-02"
PHONE = "13912345678"
BEIJING = timezone(timedelta(hours=8))

STATS = """issued arrived transferredIn waiting atWindows served noShow noShowTickets
  endedNoShow removed transferredOut unserved called
  averageWaitingSeconds maxWaitingSeconds averageServiceSeconds maxServiceSeconds
  servedWithinTarget withinTarget overTarget withinTargetShare overTargetShare
  servedWithinTargetShare oldestWaitingSince"""
BOARD = f"""query($h: String, $d: Date) {{
  queueBoard(hallId: $h, serviceDay: $d) {{
    hallId serviceDay waitingTargetMinutes
    totals {{ {STATS} }}
    queues {{ code name prefix resetAt stats {{ {STATS} }} }}
    windows {{ code name windowType status suspensionReason queueCodes staffOnDuty
      called {{ queueCode number displayNumber status calledAt recalls }} }}
  }}
}}"""

At = Callable[[type[Any], str], Any]


def bj(hhmm: str, day: str = DAY) -> datetime:
    """``hhmm`` on ``day`` in Beijing."""
    return datetime.fromisoformat(f"{day}T{hhmm}:00").replace(tzinfo=BEIJING)


def clock(app_at, hall: str) -> At:
    """``at(AppClass, "09:05")``: the hall's application with its clock at that time."""

    def at(app_cls: type[Any], hhmm: str, day: str = DAY) -> Any:
        return app_at(app_cls, hall, bj(hhmm, day))

    return at


def open_queues(at: At, windows: dict[str, tuple[str, str, str]]) -> None:
    """Queues and windows ``{window: (queue, prefix, badge)}``: each badge holds the A post
    at its window, is signed in, and has opened it (at 08:30)."""
    for window, (queue, prefix, _) in windows.items():
        at(QueueService, "08:00").configure_queue(queue, f"队列{queue}", prefix, [ITEM], "admin")
        at(PlacesService, "08:00").configure_window(
            window, f"窗口{window}", "COMPREHENSIVE", [ITEM], "admin", queue_codes=[queue]
        )
    for window, (_, _, badge) in windows.items():
        at(StaffService, "08:10").assign_to_window(badge, window, "A", "admin")
        at(StaffService, "08:30").sign_in(badge, window, badge)
        at(PlacesService, "08:30").open_window(window, badge, badge=badge)


def run_the_day(at: At) -> None:
    """The day of the module docstring."""
    for hhmm, queue in [("09:00", "ZH"), ("09:02", "ZH"), ("09:04", "BD"), ("09:05", "ZH")]:
        at(QueueService, hhmm).issue_ticket(queue, "KIOSK", "kiosk-1")
    at(QueueService, "09:06").call_next("W01", "S001", "S001")
    at(QueueService, "09:07").call_next("W02", "S002", "S002")
    at(QueueService, "09:08").start_service("ZH", 1, "S001", "S001")
    at(QueueService, "09:09").mark_no_show("BD", 1, "S002", "S002")
    at(QueueService, "09:12").end_service("ZH", 1, "S001", "COMPLETED", "S001")
    at(QueueService, "09:15").call_next("W01", "S001", "S001")
    at(QueueService, "09:16").recall_ticket("ZH", 2, "S001", "S001")
    at(QueueService, "09:17").start_service("ZH", 2, "S001", "S001")
    at(QueueService, "09:20").end_service("ZH", 2, "S001", "CONSULTED", "S001")
    at(QueueService, "09:22").issue_ticket(
        "BD", "MOBILE", "citizen-1", applicant_id="citizen-1", phone=PHONE
    )
    at(QueueService, "09:23").call_next("W02", "S002", "S002")
    at(QueueService, "09:24").start_service("BD", 2, "S002", "S002")
    at(QueueService, "09:30").end_service("BD", 2, "S002", "ACCEPTED", "S002")
    at(QueueService, "09:31").transfer_ticket("ZH", 3, "admin", to_queue_code="BD")
    at(QueueService, "09:32").issue_ticket("ZH", "KIOSK", "kiosk-1")
    at(QueueService, "09:33").remove_ticket("ZH", 4, "申请人取消", "kiosk-1")
    at(QueueService, "09:40").issue_ticket("ZH", "KIOSK", "kiosk-1")
    at(QueueService, "09:45").call_next("W01", "S001", "S001")


@pytest.fixture
def day(hall, app_at, project) -> At:
    """The hall after the module's day, with a 10-minute target; the board is current."""
    at = clock(app_at, hall)
    at(HallRegistry, "07:00").change_policies(HallPolicies(waiting_target_minutes=10), "admin")
    open_queues(at, {"W01": ("ZH", "A", "S001"), "W02": ("BD", "B", "S002")})
    run_the_day(at)
    project()
    return at


def stats(**values: Any) -> dict[str, Any]:
    """A stats selection: zero counts and null times unless given."""
    base: dict[str, Any] = {
        "issued": 0,
        "arrived": 0,
        "transferredIn": 0,
        "waiting": 0,
        "atWindows": 0,
        "served": 0,
        "noShow": 0,
        "noShowTickets": 0,
        "endedNoShow": 0,
        "removed": 0,
        "transferredOut": 0,
        "unserved": 0,
        "called": 0,
        "averageWaitingSeconds": None,
        "maxWaitingSeconds": None,
        "averageServiceSeconds": None,
        "maxServiceSeconds": None,
        "servedWithinTarget": 0,
        "withinTarget": 0,
        "overTarget": 0,
        "withinTargetShare": None,
        "overTargetShare": None,
        "servedWithinTargetShare": None,
        "oldestWaitingSince": None,
    }
    return {**base, **values}


def moment_of(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def board(gql, jwt: str, **variables: Any) -> Any:
    return data(gql(BOARD, variables, token=jwt), "queueBoard")


def _times(found: dict[str, Any]) -> dict[str, Any]:
    """Stats with the timestamp parsed (the server's time zone may differ)."""
    return {**found, "oldestWaitingSince": moment_of(found["oldestWaitingSince"])}


ZH = stats(
    issued=5,
    arrived=5,
    atWindows=1,
    served=2,
    removed=1,
    transferredOut=1,
    unserved=1,
    called=3,
    averageWaitingSeconds=480.0,
    maxWaitingSeconds=780.0,
    averageServiceSeconds=210.0,
    maxServiceSeconds=240.0,
    servedWithinTarget=1,
    withinTarget=2,
    overTarget=1,
    withinTargetShare=2 / 3,
    overTargetShare=1 / 3,
    servedWithinTargetShare=2 / 3,
)
BD = stats(
    issued=3,
    arrived=2,
    transferredIn=1,
    waiting=1,
    served=1,
    noShow=1,
    noShowTickets=1,
    endedNoShow=1,
    unserved=1,
    called=2,
    averageWaitingSeconds=120.0,
    maxWaitingSeconds=180.0,
    averageServiceSeconds=360.0,
    maxServiceSeconds=360.0,
    servedWithinTarget=1,
    withinTarget=2,
    overTarget=1,
    withinTargetShare=2 / 3,
    overTargetShare=1 / 3,
    servedWithinTargetShare=2 / 3,
    oldestWaitingSince=bj("09:05"),
)
TOTALS = stats(
    issued=8,
    arrived=7,
    transferredIn=1,
    waiting=1,
    atWindows=1,
    served=3,
    noShow=1,
    noShowTickets=1,
    endedNoShow=1,
    removed=1,
    transferredOut=1,
    unserved=2,
    called=5,
    averageWaitingSeconds=336.0,
    maxWaitingSeconds=780.0,
    averageServiceSeconds=260.0,
    maxServiceSeconds=360.0,
    servedWithinTarget=2,
    withinTarget=4,
    overTarget=2,
    withinTargetShare=4 / 6,
    overTargetShare=2 / 6,
    servedWithinTargetShare=4 / 6,
    oldestWaitingSince=bj("09:05"),
)


def test_the_board_counts_the_day_exactly_as_computed_by_hand(gql, token, hall, day):
    found = board(gql, token(Role.STAFF, hall, "display-1"))
    assert (found["hallId"], found["serviceDay"], found["waitingTargetMinutes"]) == (
        hall,
        DAY,
        10,
    )
    queues = {q["code"]: q for q in found["queues"]}
    assert [(q["code"], q["name"], q["prefix"], q["resetAt"]) for q in found["queues"]] == [
        ("BD", "队列BD", "B", None),
        ("ZH", "队列ZH", "A", None),
    ]
    assert _times(queues["ZH"]["stats"]) == ZH
    assert _times(queues["BD"]["stats"]) == BD
    assert _times(found["totals"]) == TOTALS


def test_each_window_shows_its_called_number_and_who_is_on_duty(gql, token, hall, day):
    windows = board(gql, token(Role.SUPERVISOR, hall))["windows"]
    for window in windows:
        window["called"]["calledAt"] = moment_of(window["called"]["calledAt"])
    assert windows == [
        {
            "code": "W01",
            "name": "窗口W01",
            "windowType": "COMPREHENSIVE",
            "status": "OPEN",
            "suspensionReason": "",
            "queueCodes": ["ZH"],
            "staffOnDuty": ["S001"],
            "called": {
                "queueCode": "ZH",
                "number": 5,
                "displayNumber": "A005",
                "status": "CALLED",
                "calledAt": bj("09:45"),
                "recalls": 0,
            },
        },
        {
            "code": "W02",
            "name": "窗口W02",
            "windowType": "COMPREHENSIVE",
            "status": "OPEN",
            "suspensionReason": "",
            "queueCodes": ["BD"],
            "staffOnDuty": ["S002"],
            "called": {
                "queueCode": "BD",
                "number": 2,
                "displayNumber": "B002",
                "status": "ENDED",
                "calledAt": bj("09:23"),
                "recalls": 0,
            },
        },
    ]


def test_a_recall_moves_the_windows_call_time_and_counts(gql, token, hall, day, project):
    day(QueueService, "09:47").recall_ticket("ZH", 5, "S001", "S001")
    project()
    w01 = board(gql, token(Role.STAFF, hall))["windows"][0]["called"]
    assert (w01["displayNumber"], w01["recalls"]) == ("A005", 1)
    assert moment_of(w01["calledAt"]) == bj("09:47")


def test_a_change_of_the_target_applies_from_the_next_day_started(gql, token, hall, day, project):
    """At 10:00 the target goes from 10 to 13 minutes. 2026-03-02 started with 10 and keeps
    it (A002 waited exactly 13 minutes: still over); 03-03 starts after the change, with 13
    (A001 called after 13 minutes: within)."""
    day(HallRegistry, "10:00").change_policies(HallPolicies(waiting_target_minutes=13), "admin")
    project()
    admin = token(Role.HALL_ADMIN, hall)
    found = board(gql, admin, d=DAY)
    assert found["waitingTargetMinutes"] == 10
    totals = found["totals"]
    assert (totals["servedWithinTarget"], totals["withinTarget"], totals["overTarget"]) == (
        2,
        4,
        2,
    )
    day(QueueService, "09:00", "2026-03-03").issue_ticket("ZH", "KIOSK", "kiosk-1")
    day(QueueService, "09:13", "2026-03-03").call_next("W01", "S001", "S001")
    project()
    next_day = board(gql, admin, d="2026-03-03")
    assert next_day["waitingTargetMinutes"] == 13
    assert (next_day["totals"]["withinTarget"], next_day["totals"]["overTarget"]) == (1, 0)


def test_a_later_change_of_the_target_leaves_the_days_started_before_as_they_were(
    hall, day, project, platform, database_url
):
    """2026-03-02 started with the 10-minute target: its board stays measured against 10
    (A002, 13 minutes, and B003, still uncalled, over it) when the hall changes the target
    to 45 on 03-05. 03-05 starts with 45 (A001 called after 20 minutes: within), and keeps
    it when the target goes to 20 later that day; 03-06, not started, shows the hall's
    current 20. Rebuilt event by event or in one batch (the change after the day's start in
    the same batch), the board is the live one."""
    before = queue_board(platform.app_pool, hall, date(2026, 3, 2), now=bj("09:45"))
    assert before is not None
    assert (before.waiting_target_minutes, before.totals.within_target) == (10, 4)
    assert before.totals.over_target == 2
    day(HallRegistry, "08:00", "2026-03-05").change_policies(
        HallPolicies(waiting_target_minutes=45), "admin"
    )
    project()
    assert queue_board(platform.app_pool, hall, date(2026, 3, 2), now=bj("09:45")) == before

    day(QueueService, "09:00", "2026-03-05").issue_ticket("ZH", "KIOSK", "kiosk-1")
    day(QueueService, "09:20", "2026-03-05").call_next("W01", "S001", "S001")
    day(HallRegistry, "10:00", "2026-03-05").change_policies(
        HallPolicies(waiting_target_minutes=20), "admin"
    )
    project()
    now = bj("10:05", "2026-03-05")
    fifth = queue_board(platform.app_pool, hall, date(2026, 3, 5), now=now)
    assert fifth is not None
    assert (fifth.waiting_target_minutes, fifth.totals.within_target) == (45, 1)
    assert fifth.totals.over_target == 0
    sixth = queue_board(platform.app_pool, hall, date(2026, 3, 6), now=now)
    assert sixth is not None
    assert sixth.waiting_target_minutes == 20
    again = queue_board(platform.app_pool, hall, date(2026, 3, 2), now=bj("09:45"))
    assert again is not None  # W01 last called on 03-05 now; the day's figures stay
    assert (again.waiting_target_minutes, again.totals, again.queues) == (
        10,
        before.totals,
        before.queues,
    )

    rebuild = Rebuild(database_url, platform.worker_pool, QueueBoardProjection(), tenant=hall)
    for batch_size in (1, 1_000):
        rebuild.batch_size = batch_size
        report = rebuild.check()
        assert report.halls_compared == [hall], report
        assert report.identical, [d.samples for d in report.differences]


def test_a_suspended_window_and_a_reset_queue_show_on_the_board(gql, token, hall, day, project):
    day(PlacesService, "10:00").suspend_window("W02", "系统故障", "S002", badge="S002")
    day(QueueService, "17:00").reset_queue("BD", "admin")
    day(StaffService, "17:05").sign_out("S001", "S001")
    project()
    found = board(gql, token(Role.STAFF, hall))
    w01, w02 = found["windows"]
    assert (w02["status"], w02["suspensionReason"]) == ("SUSPENDED", "系统故障")
    assert (w01["staffOnDuty"], w02["staffOnDuty"]) == ([], ["S002"])
    bd = {q["code"]: q for q in found["queues"]}["BD"]
    assert moment_of(bd["resetAt"]) == bj("17:00")
    assert _times(bd["stats"]) == BD | {
        "waiting": 0,
        "removed": 1,
        "unserved": 2,
        "oldestWaitingSince": None,
    }
    assert found["totals"]["removed"] == 2


def test_today_follows_the_clock_to_the_next_day(gql, token, hall, day, project):
    next_day = "2026-03-03"
    day(QueueService, "09:00", next_day).issue_ticket("ZH", "KIOSK", "kiosk-1")
    day(QueueService, "09:10", next_day).call_next("W01", "S001", "S001")
    project()
    staff = token(Role.STAFF, hall)
    today = board(gql, staff)
    assert today["serviceDay"] == next_day
    assert _times(today["totals"]) == stats(
        issued=1,
        arrived=1,
        atWindows=1,
        called=1,
        averageWaitingSeconds=600.0,
        maxWaitingSeconds=600.0,
        withinTarget=1,  # exactly the 10-minute target
        withinTargetShare=1.0,
        overTargetShare=0.0,
        servedWithinTargetShare=1.0,
    )
    assert [w["called"] and w["called"]["displayNumber"] for w in today["windows"]] == [
        "A001",
        None,  # W02 called nobody that day
    ]
    yesterday = board(gql, staff, d=DAY)
    assert yesterday["serviceDay"] == DAY
    assert _times(yesterday["totals"])["issued"] == 8
    # W01's last call was on the next day: the earlier day's board shows no call for it
    assert [w["called"] and w["called"]["displayNumber"] for w in yesterday["windows"]] == [
        None,
        "B002",
    ]


def test_a_service_running_past_midnight_stays_on_the_windows_row_of_the_new_day(
    gql, token, hall, day, project, platform
):
    """W02 calls B003 at 23:50 and serves it from 23:55; at 00:05 the board is 2026-03-03's,
    and W02's row still shows what the window serves (the ticket counts in its own day's
    figures). A005, called at W01 the day before and never served, is not carried over."""
    day(QueueService, "23:50").call_next("W02", "S002", "S002")
    day(QueueService, "23:55").start_service("BD", 3, "S002", "S002")
    day(QueueService, "00:05", "2026-03-03")
    project()
    staff = token(Role.STAFF, hall)
    today = board(gql, staff)
    assert (today["serviceDay"], today["totals"]["atWindows"]) == ("2026-03-03", 0)
    w01, w02 = today["windows"]
    assert w01["called"] is None
    assert (w02["called"]["displayNumber"], w02["called"]["status"]) == ("B003", "SERVING")
    assert moment_of(w02["called"]["calledAt"]) == bj("23:50")
    public = public_board(platform.app_pool, hall, now=bj("00:05", "2026-03-03"))
    assert public is not None
    assert [w.called and w.called.display_number for w in public.windows] == [None, "B003"]
    # Once it ends, the new day's board no longer shows it; the day before still does.
    day(QueueService, "00:20", "2026-03-03").end_service(
        "BD", 3, "S002", "COMPLETED", "S002", service_day=date(2026, 3, 2)
    )
    project()
    assert [w["called"] for w in board(gql, staff)["windows"]] == [None, None]
    before = board(gql, staff, d=DAY)["windows"][1]["called"]
    assert (before["displayNumber"], before["status"]) == ("B003", "ENDED")


def test_a_hall_without_tickets_has_an_empty_board(gql, token, other_hall, project, app_at):
    app_at(QueueService, other_hall, bj("08:00"))
    project()
    found = board(gql, token(Role.STAFF, other_hall))
    assert found == {
        "hallId": other_hall,
        "serviceDay": DAY,  # today, by the clock
        "waitingTargetMinutes": HallPolicies().waiting_target_minutes,
        "totals": stats(),
        "queues": [],
        "windows": [],
    }


def test_a_day_without_tickets_has_zero_counts(gql, token, hall, day):
    found = board(gql, token(Role.STAFF, hall), d="2026-03-01")
    assert found["serviceDay"] == "2026-03-01"
    assert found["totals"] == stats()
    assert [q["stats"] for q in found["queues"]] == [stats(), stats()]
    assert [w["called"] for w in found["windows"]] == [None, None]


def test_another_halls_board_answers_like_a_missing_one(gql, token, hall, other_hall, day):
    stranger = token(Role.HALL_ADMIN, other_hall)
    assert board(gql, stranger, h=hall) is None
    assert board(gql, stranger, h="no-such-hall") is None
    own = board(gql, stranger)
    assert (own["hallId"], own["queues"], own["totals"]["issued"]) == (other_hall, [], 0)
    assert board(gql, token(Role.STAFF, hall), h=hall)["totals"]["issued"] == 8
    assert codes(gql(BOARD, {"h": "Not A Hall!"}, token=stranger)) == ["VALIDATION"]


@pytest.mark.parametrize(
    ("role", "code"),
    [
        (None, "UNAUTHENTICATED"),
        (Role.APPLICANT, "FORBIDDEN"),
        (Role.AUDITOR, "FORBIDDEN"),
        (Role.PARTNER_ADMIN, "FORBIDDEN"),
        (Role.PLATFORM_OPERATOR, "FORBIDDEN"),
    ],
)
def test_only_the_halls_staff_read_the_board(gql, token, hall, day, role, code):
    jwt = token(role, None if role is Role.PLATFORM_OPERATOR else hall) if role else None
    assert codes(gql(BOARD, {}, token=jwt)) == [code]


def test_the_board_keeps_no_personal_data(hall, day, database_url):
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT t::text FROM queue_board_tickets t WHERE tenant_id = %s", (hall,)
        ).fetchall()
    assert len(rows) == 8
    assert not any(PHONE in row[0] or "citizen-1" in row[0] for row in rows)


def test_the_service_day_of_a_ticket_is_its_beijing_date(gql, token, hall, day, project):
    """00:10 in Beijing is 16:10 UTC the day before: the ticket is of the Beijing day."""
    day(QueueService, "00:10", "2026-03-04").issue_ticket("ZH", "KIOSK", "kiosk-1")
    project()
    found = board(gql, token(Role.STAFF, hall))
    assert (found["serviceDay"], found["totals"]["issued"]) == ("2026-03-04", 1)


@pytest.mark.parametrize("batch_size", [1, 3, 7])
def test_the_board_is_the_same_whatever_the_batch_size(
    hall, day, project, platform, database_url, batch_size
):
    """Ticket events are folded per batch: one event at a time gives the very same rows."""
    day(QueueService, "10:00").transfer_ticket("BD", 3, "admin", to_window_code="W02")
    day(PlacesService, "10:01").suspend_window("W02", "系统故障", "S002", badge="S002")
    day(QueueService, "17:00").reset_queue("ZH", "admin")
    project()
    projection = QueueBoardProjection()
    rebuild = Rebuild(database_url, platform.worker_pool, projection, tenant=hall)
    rebuild.batch_size = batch_size
    report = rebuild.check()
    assert report.halls_compared == [hall], report
    assert report.identical, [d.samples for d in report.differences]


# The reviewer's findings, each with its example --------------------------------------------


@pytest.fixture
def one_window(hall, app_at) -> Callable[..., At]:
    """``one_window(**policies)``: the hall with those policies and queue ZH (A…) served by
    window W01 (S001), open from 08:30."""

    def make(**policies: Any) -> At:
        at = clock(app_at, hall)
        at(HallRegistry, "07:00").change_policies(HallPolicies(**policies), "admin")
        open_queues(at, {"W01": ("ZH", "A", "S001")})
        return at

    return make


@pytest.mark.parametrize("policy", [MissedNumberPolicy.REQUEUE, MissedNumberPolicy.DEFER])
def test_a_missed_number_is_a_no_show_whatever_the_policy(
    gql, token, hall, one_window, project, policy
):
    """A001 is missed twice (put back in line each time), then served: two no-shows of one
    ticket, none ended as a no-show; its waiting time is still its first call's."""
    at = one_window(missed_number_policy=policy)
    at(QueueService, "09:00").issue_ticket("ZH", "KIOSK", "kiosk-1")
    at(QueueService, "09:05").call_next("W01", "S001", "S001")
    at(QueueService, "09:07").mark_no_show("ZH", 1, "S001", "S001")
    at(QueueService, "09:08").call_next("W01", "S001", "S001")
    at(QueueService, "09:09").mark_no_show("ZH", 1, "S001", "S001")
    at(QueueService, "09:10").call_next("W01", "S001", "S001")
    at(QueueService, "09:11").start_service("ZH", 1, "S001", "S001")
    at(QueueService, "09:15").end_service("ZH", 1, "S001", "COMPLETED", "S001")
    project()
    totals = board(gql, token(Role.STAFF, hall))["totals"]
    assert totals["noShow"] == 2  # was 0: only tickets that ended as no-shows counted
    assert (totals["noShowTickets"], totals["endedNoShow"]) == (1, 0)
    assert (totals["served"], totals["unserved"], totals["maxWaitingSeconds"]) == (1, 0, 300.0)


@pytest.mark.parametrize("policy", [MissedNumberPolicy.REQUEUE, MissedNumberPolicy.DEFER])
def test_a_missed_ticket_put_back_in_line_waits_since_it_was_missed(
    gql, token, hall, one_window, project, policy
):
    """A001 (issued 09:00) is missed at 09:07 and put back; A002 is called meanwhile. The
    oldest wait on the board is A001's since 09:07 — under DEFER as under REQUEUE."""
    at = one_window(missed_number_policy=policy)
    at(QueueService, "09:00").issue_ticket("ZH", "KIOSK", "kiosk-1")
    at(QueueService, "09:01").issue_ticket("ZH", "KIOSK", "kiosk-1")
    at(QueueService, "09:05").call_next("W01", "S001", "S001")
    at(QueueService, "09:07").mark_no_show("ZH", 1, "S001", "S001")
    at(QueueService, "09:08").call_next("W01", "S001", "S001")
    project()
    totals = board(gql, token(Role.STAFF, hall))["totals"]
    assert (totals["waiting"], totals["atWindows"]) == (1, 1)
    assert moment_of(totals["oldestWaitingSince"]) == bj("09:07")


def test_the_share_within_the_target_counts_every_wait_not_only_the_served(
    gql, token, hall, one_window, project
):
    """The reviewer's example, 45-minute target: A001 waited 35 min and was served, A002
    waited 59 min and did not come, A003 gave up after 60 min uncalled. Served-only, the
    share was 1/1; it is 1 within of 3 decided. A004, still waiting, counts once it is past
    the target."""
    at = one_window(waiting_target_minutes=45)
    for hhmm in ("09:00", "09:01", "09:02"):
        at(QueueService, hhmm).issue_ticket("ZH", "KIOSK", "kiosk-1")
    at(QueueService, "09:35").call_next("W01", "S001", "S001")
    at(QueueService, "09:36").start_service("ZH", 1, "S001", "S001")
    at(QueueService, "09:40").end_service("ZH", 1, "S001", "COMPLETED", "S001")
    at(QueueService, "10:00").call_next("W01", "S001", "S001")
    at(QueueService, "10:01").mark_no_show("ZH", 2, "S001", "S001")
    at(QueueService, "10:02").remove_ticket("ZH", 3, "等不及了", "kiosk-1")
    at(QueueService, "10:05").issue_ticket("ZH", "KIOSK", "kiosk-1")
    project()
    staff = token(Role.STAFF, hall)
    at(QueueService, "10:10")  # A004 has waited 5 minutes: undecided
    totals = board(gql, staff)["totals"]
    assert totals["servedWithinTargetShare"] == 1 / 3  # was 1.0: served ones only
    assert (totals["servedWithinTarget"], totals["withinTarget"], totals["overTarget"]) == (
        1,
        1,
        2,
    )
    assert (totals["withinTargetShare"], totals["overTargetShare"]) == (1 / 3, 2 / 3)
    assert (totals["unserved"], totals["endedNoShow"], totals["removed"]) == (2, 1, 1)
    at(QueueService, "10:55")  # A004 has waited 50 minutes, still uncalled: over the target
    later = board(gql, staff)["totals"]
    assert (later["withinTarget"], later["overTarget"], later["withinTargetShare"]) == (
        1,
        3,
        1 / 4,
    )


def test_a_day_reset_in_advance_does_not_become_today(gql, token, hall, day, project):
    """At 17:00 the admin closes 2026-03-05 ahead of a holiday: the board stays on today."""
    day(QueueService, "17:00").reset_queue("ZH", "admin", service_day=date(2026, 3, 5))
    project()
    found = board(gql, token(Role.STAFF, hall))
    assert (found["serviceDay"], found["totals"]["issued"]) == (DAY, 8)
    ahead = board(gql, token(Role.STAFF, hall), d="2026-03-05")
    assert {q["code"]: q["resetAt"] is not None for q in ahead["queues"]} == {
        "BD": False,
        "ZH": True,
    }


def test_before_the_first_ticket_of_the_morning_the_board_shows_the_new_day(
    gql, token, hall, day, project
):
    """At 08:00 on 2026-03-03 no ticket was issued yet: the board is that day's, empty, not
    yesterday's."""
    day(QueueService, "08:00", "2026-03-03")
    project()
    found = board(gql, token(Role.STAFF, hall))
    assert (found["serviceDay"], found["totals"]) == ("2026-03-03", stats())
    assert [w["called"] for w in found["windows"]] == [None, None]


def test_a_transferred_visitor_waits_from_the_original_wait_start_and_arrives_once(
    gql, token, hall, day, project
):
    """A003 waited from 09:05 and went on to BD as B003 at 09:31; W02 calls B003 at 09:50:
    the visitor waited 45 minutes, not the 19 since the transfer, and arrived once."""
    day(QueueService, "09:50").call_next("W02", "S002", "S002")
    project()
    found = board(gql, token(Role.STAFF, hall))
    bd = {q["code"]: q for q in found["queues"]}["BD"]["stats"]
    assert (bd["called"], bd["maxWaitingSeconds"]) == (3, 2700.0)
    assert bd["averageWaitingSeconds"] == (180 + 60 + 2700) / 3
    totals = found["totals"]
    assert (totals["issued"], totals["arrived"], totals["called"]) == (8, 7, 6)
    assert (totals["averageWaitingSeconds"], totals["maxWaitingSeconds"]) == (
        (1680 + 2700) / 6,
        2700.0,
    )


@pytest.mark.parametrize("batch_size", [1, 2, 500])
def test_a_visitor_transferred_after_service_waits_again_from_the_transfer(
    gql, token, hall, app_at, project, platform, database_url, batch_size
):
    """A001 (issued 09:00) is called at 09:05, served 09:06-09:26 at W01, then sent on to BD
    as B001 at 09:26; W02 calls B001 at 09:30. The visitor waited 5 minutes at ZH and 4 at
    BD: the 20 minutes at the window are service, not waiting (B001 carries the 09:00 wait
    start, which measured a 30-minute wait, over the 10-minute target). A002, sent on while
    still waiting, keeps waiting from its issue."""
    at = clock(app_at, hall)
    at(HallRegistry, "07:00").change_policies(HallPolicies(waiting_target_minutes=10), "admin")
    open_queues(at, {"W01": ("ZH", "A", "S001"), "W02": ("BD", "B", "S002")})
    at(QueueService, "09:00").issue_ticket("ZH", "KIOSK", "kiosk-1")
    at(QueueService, "09:01").issue_ticket("ZH", "KIOSK", "kiosk-1")
    at(QueueService, "09:05").call_next("W01", "S001", "S001")
    at(QueueService, "09:06").start_service("ZH", 1, "S001", "S001")
    at(QueueService, "09:26").transfer_ticket("ZH", 1, "S001", to_queue_code="BD", badge="S001")
    at(QueueService, "09:27").transfer_ticket("ZH", 2, "admin", to_queue_code="BD")
    at(QueueService, "09:30").call_next("W02", "S002", "S002")
    project()
    at(QueueService, "09:31")
    found = board(gql, token(Role.STAFF, hall))
    queues = {q["code"]: q["stats"] for q in found["queues"]}
    zh, bd, totals = queues["ZH"], queues["BD"], found["totals"]
    assert (zh["called"], zh["maxWaitingSeconds"], zh["withinTarget"]) == (1, 300.0, 1)
    assert (bd["called"], bd["maxWaitingSeconds"], bd["withinTarget"]) == (1, 240.0, 1)
    assert (totals["averageWaitingSeconds"], totals["maxWaitingSeconds"]) == (270.0, 300.0)
    # B002 (A002's continuation) still waits since 09:01: 30 minutes, over the target
    assert (totals["withinTarget"], totals["overTarget"]) == (2, 1)
    assert moment_of(totals["oldestWaitingSince"]) == bj("09:01")
    rebuild = Rebuild(database_url, platform.worker_pool, QueueBoardProjection(), tenant=hall)
    rebuild.batch_size = batch_size
    report = rebuild.check()
    assert report.identical, [d.samples for d in report.differences]


@pytest.mark.parametrize("projected_between", [False, True], ids=["one batch", "batches"])
@pytest.mark.parametrize("batch_size", [1, 2, 500])
def test_a_visitor_transferred_on_and_on_waits_from_the_right_moment_at_each_queue(
    hall, app_at, project, platform, database_url, batch_size, projected_between
):
    """Chains of transfers, projected in one batch or with the board caught up between them.
    A001 (09:00) is called at W01 at 09:05 and sent on to BD as B001 at 09:10, which waits
    from 09:10; B001, not called yet, goes back to ZH as A003 at 09:12: still waiting since
    09:10 (its source's wait start on the board, once that was moved to the transfer).
    A002 (09:01) goes uncalled to BD as B002 at 09:13 (since 09:01); W02 calls B002 at 09:14
    and sends it back to ZH as A004 at 09:15, which waits from 09:15. A full rebuild, in
    batches of any size, gives the same rows."""
    at = clock(app_at, hall)
    open_queues(at, {"W01": ("ZH", "A", "S001"), "W02": ("BD", "B", "S002")})
    at(QueueService, "09:00").issue_ticket("ZH", "KIOSK", "kiosk-1")
    at(QueueService, "09:01").issue_ticket("ZH", "KIOSK", "kiosk-1")
    at(QueueService, "09:05").call_next("W01", "S001", "S001")
    at(QueueService, "09:10").transfer_ticket("ZH", 1, "S001", to_queue_code="BD", badge="S001")
    if projected_between:
        project()
    at(QueueService, "09:12").transfer_ticket("BD", 1, "admin", to_queue_code="ZH")
    at(QueueService, "09:13").transfer_ticket("ZH", 2, "admin", to_queue_code="BD")
    if projected_between:
        project()
    at(QueueService, "09:14").call_next("W02", "S002", "S002")
    at(QueueService, "09:15").transfer_ticket("BD", 2, "S002", to_queue_code="ZH", badge="S002")
    project()
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT display_number, wait_started_at, waiting_since FROM queue_board_tickets"
            " WHERE tenant_id = %s",
            (hall,),
        ).fetchall()
    waits = {display: (start, since) for display, start, since in rows}
    assert waits == {
        "A001": (bj("09:00"), bj("09:00")),
        "A002": (bj("09:01"), bj("09:01")),
        "B001": (bj("09:10"), bj("09:10")),
        "A003": (bj("09:10"), bj("09:10")),
        "B002": (bj("09:01"), bj("09:01")),
        "A004": (bj("09:15"), bj("09:15")),
    }
    rebuild = Rebuild(database_url, platform.worker_pool, QueueBoardProjection(), tenant=hall)
    rebuild.batch_size = batch_size
    report = rebuild.check()
    assert report.identical, [d.samples for d in report.differences]
