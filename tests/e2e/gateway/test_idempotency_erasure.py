"""Idempotency-Key and erasure (个人信息删除): a kept response never reveals personal data of
a subject erased since. ``onboardStaff`` answers with the member's name, sealed with the
member record's key (``record:<id>``); erasing that record drops the kept response (a retry
answers ``ALREADY_APPLIED``, without the name), and leaves another member's untouched."""

from __future__ import annotations

from typing import Any

from gateway.auth import Role
from gateway.idempotency import store
from gateway.subscriptions import log_head
from services.privacy.keys import destroy_subject_keys
from services.staff.domain import StaffMember
from services.store.session import TenantSession
from tests.e2e.gateway.conftest import codes

ONBOARD = """mutation($badge: String!, $name: String!) {
  onboardStaff(input: {badgeNumber: $badge, name: $name, role: WINDOW_STAFF}) { badgeNumber name }
}"""
ERASE = """mutation($subject: String!) {
  erasePersonalData(subjectId: $subject, reason: "本人申请删除") { subjectId }
}"""


def _kept_text(platform, hall: str) -> str:
    """Every response the hall keeps, as text."""
    with platform.worker_pool.connection() as conn:
        rows = conn.execute(
            "SELECT coalesce(response::text, '') FROM idempotency_keys WHERE tenant_id = %s",
            (hall,),
        ).fetchall()
    return "\n".join(r[0] for r in rows)


def _onboard(gql, admin: str, badge: str, name: str) -> Any:
    variables = {"badge": badge, "name": name}
    return gql(ONBOARD, variables, token=admin, headers={"Idempotency-Key": f"onboard-{badge}"})


def test_an_erasure_drops_the_kept_responses_holding_the_subjects_data(gql, token, hall, platform):
    admin = token(Role.HALL_ADMIN, hall, subject="admin-1")
    first = _onboard(gql, admin, "S001", "张伟")
    assert first.json()["data"]["onboardStaff"]["name"] == "张伟", first.text
    other = _onboard(gql, admin, "S002", "李娜")
    assert other.json()["data"]["onboardStaff"]["name"] == "李娜", other.text
    assert "张伟" in _kept_text(platform, hall)

    record = StaffMember.create_id(hall, "S001")
    erased = gql(ERASE, {"subject": f"record:{record}"}, token=admin)
    assert "errors" not in erased.json(), erased.text
    assert "张伟" not in _kept_text(platform, hall)
    head = log_head(platform.app_pool, hall)

    retry = _onboard(gql, admin, "S001", "张伟")
    assert codes(retry) == ["ALREADY_APPLIED"], retry.text
    assert retry.json()["data"] is None
    assert "张伟" not in retry.text
    error = retry.json()["errors"][0]
    assert "erased" in error["message"]
    assert error["extensions"]["logId"] == hall
    assert retry.headers["idempotent-replayed"] == "true"
    assert log_head(platform.app_pool, hall) == head  # not run again

    untouched = _onboard(gql, admin, "S002", "李娜")
    assert untouched.json() == other.json()  # another subject's kept response, as it was
    assert untouched.headers["idempotent-replayed"] == "true"


def test_a_response_whose_subject_was_erased_while_it_ran_is_not_kept(
    gql, token, hall, platform, monkeypatch
):
    """The erasure commits after the request read the name and before its response is
    stored: the store finds the key destroyed and keeps only the position."""
    admin = token(Role.HALL_ADMIN, hall, subject="admin-1")
    record = StaffMember.create_id(hall, "S001")
    complete = store.complete

    def erased_meanwhile(pool: Any, *args: Any) -> None:
        session = TenantSession(platform.app_pool, hall)
        assert destroy_subject_keys(session.fetch, hall, f"record:{record}") == 1
        complete(pool, *args)

    monkeypatch.setattr(store, "complete", erased_meanwhile)
    first = _onboard(gql, admin, "S001", "张伟")
    assert first.json()["data"]["onboardStaff"]["name"] == "张伟", first.text  # the live answer
    monkeypatch.undo()
    assert "张伟" not in _kept_text(platform, hall)

    retry = _onboard(gql, admin, "S001", "张伟")
    assert codes(retry) == ["ALREADY_APPLIED"], retry.text
    assert "张伟" not in retry.text
