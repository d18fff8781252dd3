"""Rectification follow-ups (整改) on the staff worklists, fed by real bad ratings, complaints
and rectification commands through the store, read over GraphQL.

A bad rating at W01/S001 on 2026-05-07 (Thursday) opens R1: S001 owes the verification call
(核实回访) by 05-08 (one working day), then the disposition, then — on the ledger from 05-08 —
the rectification by 05-14 (five working days; Saturday 05-09 is a make-up working day), then
the feedback to the rater; once fed back it waits for the review, not for S001. A
substantiated complaint against W02/S002 opens R2, on S002's worklist only. A bad rating at
W02 naming no staff member opens R3, on nobody's.
"""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

import psycopg
import pytest

from gateway.auth import Role
from projections.runtime import Rebuild
from projections.worklist import WorklistProjection
from services.evaluations import EvaluationService
from services.rectifications import RectificationService
from tests.integration.read_models.conftest import (
    bad_rating,
    data,
    edges,
    moment,
    substantiated_complaint,
)

WORKLIST = """query($b: String, $kinds: [WorklistKind!]) {
  staffWorklist(badgeNumber: $b) {
    badgeNumber rectificationFollowUps pendingFollowUps openComplaints
    items(kinds: $kinds) { edges { node { kind recordId status dueDate since windowCode
      rectificationStep rectificationSource } } }
  }
}"""


def _worklist(gql, token, hall: str, badge: str, **variables: Any) -> dict[str, Any]:
    jwt = token(Role.STAFF, hall, badge)
    found: dict[str, Any] = data(gql(WORKLIST, variables, token=jwt), "staffWorklist")
    return found


def _steps(found: dict[str, Any]) -> list[tuple[str, str, str | None, str]]:
    """The rectification items: (id, step, due date, status)."""
    return [
        (n["recordId"], n["rectificationStep"], n["dueDate"], n["status"])
        for n in edges(found["items"])
        if n["kind"] == "RECTIFICATION_FOLLOW_UP"
    ]


def _steps_of(gql, token, hall: str, badge: str) -> list[tuple[str, str, str | None, str]]:
    return _steps(_worklist(gql, token, hall, badge))


def _at(app_at, hall: str, day: str) -> RectificationService:
    return app_at(RectificationService, hall, moment(day))


def test_a_bad_rating_gives_the_rated_staff_member_the_verification_call(
    gql, token, hall, app_at, project
):
    r1 = str(bad_rating(app_at, hall, "T01", "2026-05-07", "W01", "S001"))
    project()
    found = _worklist(gql, token, hall, "S001")
    assert found["rectificationFollowUps"] == 1
    assert found["pendingFollowUps"] == 0  # cases and complaints only, as before
    [item] = edges(found["items"])
    assert (item["kind"], item["recordId"], item["status"]) == (
        "RECTIFICATION_FOLLOW_UP",
        r1,
        "OPEN",
    )
    assert (item["rectificationStep"], item["dueDate"]) == ("VERIFICATION_CALL", "2026-05-08")
    assert (item["rectificationSource"], item["windowCode"]) == ("BAD_RATING", "W01")
    assert item["since"].startswith("2026-05-07")

    other = _worklist(gql, token, hall, "S002")
    assert (other["rectificationFollowUps"], edges(other["items"])) == (0, [])


def test_the_follow_up_moves_through_the_steps_and_leaves_when_done(
    gql, token, hall, app_at, project
):
    r1 = str(bad_rating(app_at, hall, "T01", "2026-05-07", "W01", "S001"))
    rid = UUID(r1)
    _at(app_at, hall, "2026-05-08").record_verification_call(rid, True, "已联系", "S001")
    project()
    assert _steps_of(gql, token, hall, "S001") == [(r1, "DISPOSITION", None, "VERIFIED")]

    _at(app_at, hall, "2026-05-08").enter_ledger(rid, ["整改窗口礼仪"], "S001")
    project()
    # five working days from Friday 05-08: Saturday 05-09 is a make-up working day (调休)
    assert _steps_of(gql, token, hall, "S001") == [(r1, "LEDGER", "2026-05-14", "IN_PROGRESS")]

    _at(app_at, hall, "2026-05-12").complete(rid, ["已培训"], "S001")
    project()
    assert _steps_of(gql, token, hall, "S001") == [(r1, "FEEDBACK", None, "COMPLETED")]

    _at(app_at, hall, "2026-05-12").feed_back(rid, "PHONE", "已整改", "S001")
    project()
    found = _worklist(gql, token, hall, "S001")
    assert (found["rectificationFollowUps"], _steps(found)) == (0, [])

    # the review sends it back: the disposition is owed again; passed, it is gone for good
    _at(app_at, hall, "2026-05-13").reopen(rid, "整改不到位", "sup-1")
    project()
    assert _steps_of(gql, token, hall, "S001") == [(r1, "DISPOSITION", None, "VERIFIED")]
    steps = _at(app_at, hall, "2026-05-13")
    steps.explain(rid, "已说明", "S001")
    project()
    assert _steps_of(gql, token, hall, "S001") == [(r1, "FEEDBACK", None, "COMPLETED")]
    steps.feed_back(rid, "SMS", "已说明", "S001")
    steps.pass_review(rid, "同意", "sup-1")
    project()
    assert _worklist(gql, token, hall, "S001")["rectificationFollowUps"] == 0


def test_each_staff_member_sees_only_the_rectifications_concerning_them(
    gql, token, hall, app_at, project
):
    r1 = str(bad_rating(app_at, hall, "T01", "2026-05-07", "W01", "S001"))
    r2 = str(substantiated_complaint(app_at, hall, "2026-05-13"))
    bad_rating(app_at, hall, "T03", "2026-05-15", "W02", "")  # no staff member named
    project()
    assert _steps_of(gql, token, hall, "S001") == [(r1, "VERIFICATION_CALL", "2026-05-08", "OPEN")]
    s002 = _worklist(gql, token, hall, "S002", kinds=["RECTIFICATION_FOLLOW_UP"])
    assert _steps(s002) == [(r2, "VERIFICATION_CALL", "2026-05-14", "OPEN")]
    assert edges(s002["items"])[0]["rectificationSource"] == "COMPLAINT"
    assert s002["rectificationFollowUps"] == 1

    # only the other follow-up kinds asked for: none of the rectifications
    cases_only = _worklist(gql, token, hall, "S001", kinds=["CASE_FOLLOW_UP"])
    assert (edges(cases_only["items"]), cases_only["rectificationFollowUps"]) == ([], 1)
    # no kinds asked for: no items (not every kind)
    none_asked = _worklist(gql, token, hall, "S001", kinds=[])
    assert (edges(none_asked["items"]), none_asked["rectificationFollowUps"]) == ([], 1)

    _at(app_at, hall, "2026-05-14").record_verification_call(UUID(r2), True, "已核实", "S002")
    project()
    assert _steps_of(gql, token, hall, "S001") == [(r1, "VERIFICATION_CALL", "2026-05-08", "OPEN")]
    assert _steps_of(gql, token, hall, "S002") == [(r2, "DISPOSITION", None, "VERIFIED")]


def _exclude(app_at, hall: str, ref: str, day: str) -> None:
    """The appeal against the rating of ``ref`` is upheld on ``day`` (甄别剔除)."""
    evaluations = app_at(EvaluationService, hall, moment(day))
    evaluation_id = evaluations.evaluation_id("VISIT", ref)
    evaluations.appeal_rating(evaluation_id, "MISTAKEN", "评错窗口", "S001")
    evaluations.exclude_rating(evaluation_id, "核实为误评", "sup-1")


def test_a_rectification_withdrawn_on_appeal_leaves_the_worklist(gql, token, hall, app_at, project):
    """Three bad ratings of S001: the call owed for T01, T02 on the ledger, T03 fixed at once
    (its feedback owed). Their ratings are excluded on appeal: T01 and T02 are withdrawn and
    leave the list; T03's work was done, its feedback stays owed."""
    r1, r2, r3 = (
        str(bad_rating(app_at, hall, ref, "2026-05-07", "W01", "S001"))
        for ref in ("T01", "T02", "T03")
    )
    steps = _at(app_at, hall, "2026-05-08")
    steps.record_verification_call(UUID(r2), True, "已联系", "S001")
    steps.enter_ledger(UUID(r2), ["整改窗口礼仪"], "S001")
    steps.record_verification_call(UUID(r3), True, "已联系", "S001")
    steps.fix_at_once(UUID(r3), ["当面致歉"], "S001")
    project()
    assert _steps_of(gql, token, hall, "S001") == [
        (r1, "VERIFICATION_CALL", "2026-05-08", "OPEN"),
        (r2, "LEDGER", "2026-05-14", "IN_PROGRESS"),
        (r3, "FEEDBACK", None, "COMPLETED"),
    ]

    _exclude(app_at, hall, "T01", "2026-05-11")
    project()
    assert _steps_of(gql, token, hall, "S001") == [
        (r2, "LEDGER", "2026-05-14", "IN_PROGRESS"),
        (r3, "FEEDBACK", None, "COMPLETED"),
    ]
    _exclude(app_at, hall, "T02", "2026-05-11")
    _exclude(app_at, hall, "T03", "2026-05-11")
    project()
    found = _worklist(gql, token, hall, "S001")
    assert (found["rectificationFollowUps"], _steps(found)) == (
        1,
        [(r3, "FEEDBACK", None, "COMPLETED")],
    )


def test_the_rectification_rows_keep_no_personal_data(hall, app_at, project, database_url):
    bad_rating(app_at, hall, "T01", "2026-05-07", "W01", "S001")
    _at(app_at, hall, "2026-05-11").mark_overdue()
    project()
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT to_jsonb(t) FROM worklist_rectifications t WHERE tenant_id = %s", (hall,)
        ).fetchall()
    assert len(rows) == 1
    values = [str(v) for v in rows[0][0].values()]
    # the rater's id as a token of its own (ids and hashes may hold "a-1" by chance)
    assert not [v for v in values if re.search(r"(?<![\w-])a-1(?![\w-])", v)]
    assert not [v for v in values if "差评" in v]


@pytest.mark.parametrize("batch_size", [1, 5_000])
def test_the_rectification_follow_ups_equal_their_rebuild(
    hall, app_at, project, platform, database_url, batch_size
):
    """Every rectification event, rebuilt event by event and in one batch: the same rows."""
    r1 = bad_rating(app_at, hall, "T01", "2026-05-07", "W01", "S001")
    _at(app_at, hall, "2026-05-11").mark_overdue()
    steps = _at(app_at, hall, "2026-05-12")
    steps.record_verification_call(r1, True, "已联系", "S001")
    steps.enter_ledger(r1, ["整改窗口礼仪"], "S001")
    project()  # later events change rows an earlier pass wrote
    r2 = substantiated_complaint(app_at, hall, "2026-05-13")
    steps = _at(app_at, hall, "2026-05-14")
    steps.record_verification_call(r2, True, "已核实", "S002")
    steps.fix_at_once(r2, ["当面致歉"], "S002")
    steps.feed_back(r2, "PHONE", "已整改", "S002")
    steps.reopen(r2, "不到位", "sup-1")
    steps.explain(r2, "已说明", "S002")
    steps.feed_back(r2, "PHONE", "已说明", "S002")
    steps.pass_review(r2, "同意", "sup-1")
    bad_rating(app_at, hall, "T03", "2026-05-15", "W02", "")
    _at(app_at, hall, "2026-05-18").complete(r1, ["已培训"], "S001")
    bad_rating(app_at, hall, "T04", "2026-05-18", "W01", "S001")
    project()  # T04's row is written before its withdrawal
    _exclude(app_at, hall, "T04", "2026-05-19")
    bad_rating(app_at, hall, "T05", "2026-05-19", "W01", "S001")
    _exclude(app_at, hall, "T05", "2026-05-19")  # opened and withdrawn in one batch
    project()
    pool = platform.worker_pool
    rebuild = Rebuild(database_url, pool, WorklistProjection(), tenant=hall, batch_size=batch_size)
    report = rebuild.check()
    assert report.halls_compared == [hall], report
    assert report.identical, [d.samples for d in report.differences]
    assert report.events > 0
