"""Following one case or complaint over graphql-transport-ws (a real WebSocket client): the
register's entry now, then again once a command's events reached the register."""

from __future__ import annotations

import asyncio
from uuid import UUID

from gateway.auth import Role
from services.cases import Applicant, CaseRequest, CaseService
from services.complaints import ComplaintService
from services.complaints.application import ComplaintDetails
from tests.e2e.gateway.test_subscriptions import Client, in_thread, ws_url
from tests.integration.read_models.conftest import ITEM, moment

CASE = """subscription($id: ID!) { assistanceCaseChanged(id: $id) {
  status dueDate history { event } } }"""
COMPLAINT = "subscription($id: ID!) { complaintChanged(id: $id) { status dueOn } }"


def _payload(message: dict, field: str) -> dict | None:
    assert message["type"] == "next", message
    return message["payload"]["data"][field]


def test_a_case_streams_its_register_entry_as_it_changes(gateway_url, token, hall, app_at, project):
    app = app_at(CaseService, hall, moment("2026-09-29"))
    person = Applicant("citizen-1", "张三", "110101199003070011", "13800000000")
    case = app.request_case(CaseRequest("FULL_AGENCY", ITEM, "设立", "HALL", person), "c")
    project()

    async def scenario() -> None:
        staff = await Client.connect(ws_url(gateway_url), {"token": token(Role.STAFF, hall)})
        await staff.ack()
        await staff.subscribe("1", CASE, {"id": str(case.id)})
        first = _payload(await staff.next(), "assistanceCaseChanged")
        assert first == {
            "status": "REQUESTED",
            "dueDate": None,
            "history": [{"event": "CaseRequested"}],
        }

        other = token(Role.APPLICANT, hall, "citizen-2")
        stranger = await Client.connect(ws_url(gateway_url), {"token": other})
        await stranger.ack()
        await stranger.subscribe("2", CASE, {"id": str(case.id)})
        assert _payload(await stranger.next(), "assistanceCaseChanged") is None

        await in_thread(lambda: app.accept_case(UUID(str(case.id)), "S001", "agent-1"))
        await in_thread(project)
        moved = _payload(await staff.next(), "assistanceCaseChanged")
        assert moved == {
            "status": "ACCEPTED",
            "dueDate": "2026-10-12",
            "history": [{"event": "CaseRequested"}, {"event": "CaseAccepted"}],
        }
        await staff.close()
        await stranger.close()

    asyncio.run(scenario())


def test_a_complaint_streams_its_register_entry_to_its_complainant(
    gateway_url, token, hall, app_at, project
):
    app = app_at(ComplaintService, hall, moment("2026-10-08"))
    details = ComplaintDetails(
        channel="ONLINE", facts="排队太久", applicant_id="citizen-1", complainant_name="张三"
    )
    complaint = app.receive_complaint(details, "citizen-1")
    project()

    async def scenario() -> None:
        own = token(Role.APPLICANT, hall, "citizen-1")
        client = await Client.connect(ws_url(gateway_url), {"token": own})
        await client.ack()
        await client.subscribe("1", COMPLAINT, {"id": str(complaint.id)})
        first = _payload(await client.next(), "complaintChanged")
        assert first == {"status": "RECEIVED", "dueOn": None}
        await in_thread(lambda: app.accept_complaint(complaint.id, "REFERRED", "admin-1"))
        await in_thread(project)
        moved = _payload(await client.next(), "complaintChanged")
        assert moved == {"status": "ACCEPTED", "dueOn": "2026-10-14"}
        await client.close()

    asyncio.run(scenario())
