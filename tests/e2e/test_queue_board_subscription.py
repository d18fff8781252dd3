"""Live queue boards over graphql-transport-ws (a real WebSocket client),
with a real projection worker running beside the gateway, woken by NOTIFY.

A hall display subscribes to its hall's board; a staff member calls a ticket over HTTP; the
called number is pushed to the display (no poll, no reload). Calls in another hall never
reach it. How fast is measured by ``make bench`` (freshness), not asserted here: a timed
assertion fails on a loaded machine, not on a slow product.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from deploy.bootstrap import Platform, all_projections
from gateway.app import create_app
from gateway.auth import Role
from projections.runtime import ProjectionWorker
from services.catalog import CatalogService
from services.catalog.application import ItemTerms
from services.halls import HallRegistry
from services.places import PlacesService
from services.queue import QueueService
from services.staff import StaffService
from tests.e2e.gateway.conftest import Server
from tests.e2e.gateway.test_subscriptions import Client, in_thread

BOARD = """subscription {
  queueBoardChanged { hallId totals { issued waiting atWindows }
    windows { code called { displayNumber status } } }
}"""
CALL = 'mutation { callNextTicket(windowCode: "W01") { displayNumber } }'
ITEM = "BDB-001"


def _hall(platform: Platform, hall: str) -> str:
    """A hall with queue ZH (A…) served by window W01, S001 signed in there, W01 open."""
    platform.hall_app(HallRegistry, hall).register_hall("看板测试大厅", "苏州", "op")
    terms = ItemTerms(name="帮办代办", category="ASSISTANCE", promised_working_days=5)
    platform.hall_app(CatalogService, hall).publish_service_item(ITEM, terms, "admin")
    platform.hall_app(QueueService, hall).configure_queue("ZH", "综合受理", "A", [ITEM], "admin")
    places = platform.hall_app(PlacesService, hall)
    places.configure_window("W01", "综合窗口", "COMPREHENSIVE", [ITEM], "admin", queue_codes=["ZH"])
    staff = platform.hall_app(StaffService, hall)
    staff.onboard_staff("S001", "王芳", "WINDOW_STAFF", [], "admin")
    staff.assign_to_window("S001", "W01", "A", "admin")
    staff.sign_in("S001", "W01", "S001")
    places.open_window("W01", "S001", badge="S001")
    return hall


@pytest.fixture(scope="module")
def server(platform: Platform) -> Iterator[Server]:
    """A gateway of this module's own: its LISTEN connection ends with the module."""
    with Server(create_app(platform)) as live:
        yield live


@pytest.fixture
def halls(platform: Platform) -> tuple[str, str]:
    suffix = uuid.uuid4().hex[:10]
    return _hall(platform, f"board-a-{suffix}"), _hall(platform, f"board-b-{suffix}")


@pytest.fixture
def live_worker(platform: Platform, halls) -> Iterator[ProjectionWorker]:
    """A projection worker running as in production: woken by NOTIFY after each commit."""
    worker = ProjectionWorker(platform.worker_pool, all_projections(), poll_interval=0.5)
    worker.run_once()  # the halls' setup
    thread = threading.Thread(target=worker.run_forever, name="live-projections", daemon=True)
    thread.start()
    yield worker
    worker.stop()
    thread.join(timeout=10)


def _called(message: dict[str, Any]) -> str | None:
    board = message["payload"]["data"]["queueBoardChanged"]
    called = board["windows"][0]["called"]
    return called["displayNumber"] if called else None


def test_a_called_number_is_pushed_to_a_subscribed_board(
    server, token, platform, halls, live_worker
):
    hall, _ = halls

    async def scenario() -> None:
        display = await Client.connect(server.ws_url, {"token": token(Role.STAFF, hall)})
        await display.ack()
        await display.subscribe("board", BOARD)
        first = await display.next()
        assert first["payload"]["data"]["queueBoardChanged"]["totals"]["issued"] == 0
        await in_thread(platform.hall_app(QueueService, hall).issue_ticket, "ZH", "KIOSK", "k")
        issued = await display.next(timeout=2.0)
        assert issued["payload"]["data"]["queueBoardChanged"]["totals"] == {
            "issued": 1,
            "waiting": 1,
            "atWindows": 0,
        }
        staff = token(Role.STAFF, hall, "S001")
        response = await in_thread(lambda: server.gql(CALL, token=staff))
        assert response.json()["data"]["callNextTicket"]["displayNumber"] == "A001"
        update = await display.next(timeout=10.0)  # pushed: nothing else would send it
        assert _called(update) == "A001"
        board = update["payload"]["data"]["queueBoardChanged"]
        assert board["windows"][0]["called"]["status"] == "CALLED"
        assert board["totals"] == {"issued": 1, "waiting": 0, "atWindows": 1}
        await display.close()

    asyncio.run(scenario())


def test_another_halls_calls_never_reach_a_board(server, token, platform, halls, live_worker):
    hall, other = halls

    async def scenario() -> None:
        mine = await Client.connect(server.ws_url, {"token": token(Role.STAFF, hall)})
        theirs = await Client.connect(server.ws_url, {"token": token(Role.STAFF, other)})
        for client in (mine, theirs):
            await client.ack()
            await client.subscribe("board", BOARD)
            assert _called(await client.next()) is None
        await in_thread(platform.hall_app(QueueService, other).issue_ticket, "ZH", "KIOSK", "k")
        assert (await theirs.next(timeout=2.0))["payload"]["data"]["queueBoardChanged"][
            "hallId"
        ] == other
        staff = token(Role.STAFF, other, "S001")
        await in_thread(lambda: server.gql(CALL, token=staff))
        assert _called(await theirs.next(timeout=1.0)) == "A001"  # the other hall's board moved
        with pytest.raises(TimeoutError):
            await mine.next(timeout=1.0)  # this one never heard of it
        await mine.close()
        await theirs.close()

    asyncio.run(scenario())


@pytest.mark.parametrize(
    ("role", "code"), [(None, "UNAUTHENTICATED"), (Role.APPLICANT, "FORBIDDEN")]
)
def test_the_board_subscription_is_for_the_halls_staff(server, token, halls, role, code):
    hall, _ = halls

    async def scenario() -> None:
        payload = {"token": token(role, hall)} if role else {}
        client = await Client.connect(server.ws_url, payload)
        await client.ack()
        await client.subscribe("board", BOARD)
        message = await client.next()
        errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
        assert [e["extensions"]["code"] for e in errors] == [code]
        await client.close()

    asyncio.run(scenario())


PUBLIC_BOARD = """subscription($h: String!) {
  publicQueueBoardChanged(hallId: $h) {
    hallId queues { code waiting } windows { code called { displayNumber } }
  }
}"""
TICKET_STATUS = """subscription {
  ticketStatusChanged(queueCode: "ZH", number: 2) { displayNumber status peopleAhead windowCode }
}"""


def test_a_called_number_reaches_an_anonymous_public_screen(
    server, token, platform, halls, live_worker
):
    hall, _ = halls

    async def scenario() -> None:
        screen = await Client.connect(server.ws_url, {})  # no token
        await screen.ack()
        await screen.subscribe("screen", PUBLIC_BOARD, {"h": hall})
        first = (await screen.next())["payload"]["data"]["publicQueueBoardChanged"]
        assert first == {
            "hallId": hall,
            "queues": [{"code": "ZH", "waiting": 0}],
            "windows": [{"code": "W01", "called": None}],
        }
        await in_thread(platform.hall_app(QueueService, hall).issue_ticket, "ZH", "KIOSK", "k")
        issued = (await screen.next(timeout=10.0))["payload"]["data"]["publicQueueBoardChanged"]
        assert issued["queues"] == [{"code": "ZH", "waiting": 1}]
        staff = token(Role.STAFF, hall, "S001")
        await in_thread(lambda: server.gql(CALL, token=staff))
        called = (await screen.next(timeout=10.0))["payload"]["data"]["publicQueueBoardChanged"]
        assert called["queues"] == [{"code": "ZH", "waiting": 0}]
        assert called["windows"] == [{"code": "W01", "called": {"displayNumber": "A001"}}]
        await screen.close()

    asyncio.run(scenario())


def test_an_applicant_is_told_when_the_number_ahead_is_called(server, token, platform, halls):
    hall, _ = halls
    queue = platform.hall_app(QueueService, hall)
    queue.issue_ticket("ZH", "KIOSK", "k")  # A001
    queue.issue_ticket("ZH", "MOBILE", "a-1", applicant_id="a-1")  # A002

    async def scenario() -> None:
        mine = await Client.connect(server.ws_url, {"token": token(Role.APPLICANT, hall, "a-1")})
        theirs = await Client.connect(server.ws_url, {"token": token(Role.APPLICANT, hall, "a-2")})
        for client in (mine, theirs):
            await client.ack()
            await client.subscribe("ticket", TICKET_STATUS)
        refused = await theirs.next()
        assert [e["extensions"]["code"] for e in refused["payload"]["errors"]] == ["NOT_FOUND"]
        first = (await mine.next())["payload"]["data"]["ticketStatusChanged"]
        assert first == {
            "displayNumber": "A002",
            "status": "WAITING",
            "peopleAhead": 1,
            "windowCode": None,
        }
        staff = token(Role.STAFF, hall, "S001")
        response = await in_thread(lambda: server.gql(CALL, token=staff))
        assert response.json()["data"]["callNextTicket"]["displayNumber"] == "A001"
        ahead = (await mine.next(timeout=10.0))["payload"]["data"]["ticketStatusChanged"]
        assert ahead["peopleAhead"] == 0
        for step in (  # A001 served (nothing A002's holder sees changes), then A002 called
            lambda: queue.start_service("ZH", 1, "S001", "S001"),
            lambda: queue.end_service("ZH", 1, "S001", "COMPLETED", "S001"),
            lambda: queue.call_next("W01", "S001", "S001"),
        ):
            await in_thread(step)
        called = (await mine.next(timeout=10.0))["payload"]["data"]["ticketStatusChanged"]
        assert (called["status"], called["windowCode"], called["peopleAhead"]) == (
            "CALLED",
            "W01",
            None,
        )
        await mine.close()
        await theirs.close()

    asyncio.run(scenario())
