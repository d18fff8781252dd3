"""Platform operators read, export and pin the platform log (holiday schedules, partner
register) with the same CLI commands as a hall's log (``--tenant platform``), each read
recorded in the platform log first; over GraphQL it stays out of reach (no hall's auditor
may read it, and ``hallId`` names halls only).

An auditor checking a hall's working-day deadlines offline needs the schedules in force
when each deadline was computed: a signed bundle of the platform log, verified with the
same standalone verifier, gives them with their times of recording.
"""

from __future__ import annotations

import base64
import json
import uuid

import pytest
from typer.testing import CliRunner

from deploy.cli import app
from gateway.auth import Role
from services.audit import list_access_log
from services.audit.heads import heads_in_log
from services.audit.signing import load_signing_key
from services.audit.verifier import verify_bundle
from services.holidays import HolidaySchedules
from services.shared.ids import PLATFORM_LOG

runner = CliRunner()
RECORDED = "holidays.HolidayScheduleRecorded"


@pytest.fixture
def schedule(platform) -> int:
    """A schedule recorded in the platform log, which the tests share: a year (2060–2089) no
    other test records or expects to be unrecorded; returns it."""
    year = 2060 + uuid.uuid4().int % 30
    schedules = platform.hall_app(HolidaySchedules, PLATFORM_LOG)
    notice = f"国办发明电 {uuid.uuid4().hex[:8]}"
    schedules.record_schedule(year, [f"{year}-10-01", f"{year}-10-02"], [], notice, "op-1")
    return year


def _ok(args: list[str]) -> str:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def test_an_operator_exports_the_platform_log_and_an_auditor_verifies_it_offline(
    signing_env, platform, schedule, tmp_path
):
    bundle = tmp_path / "platform-2026"
    _ok(["audit", "export", "--tenant", PLATFORM_LOG, "--out", str(bundle), "--reason", "期限核查"])

    report = verify_bundle(bundle, (tmp_path / "platform.pem.pub").read_text())
    assert report.ok, report
    assert report.tenant_id == PLATFORM_LOG
    lines = [json.loads(line) for line in (bundle / "events.jsonl").read_text().splitlines()]
    years = [
        json.loads(line["state"]).get("year")
        for line in lines
        if line["topic"] == "services.holidays.domain:HolidaySchedule.Recorded"
    ]
    assert schedule in years
    manifest = json.loads((bundle / "manifest.json").read_text())
    access = list_access_log(platform.app_pool, PLATFORM_LOG)[0]
    assert (access.action, access.reason, access.position) == (
        "EXPORT",
        "期限核查",
        manifest["access_position"],
    )
    assert lines[-1]["position"] == access.position  # the export's own record is in it


def test_a_platform_bundle_does_not_pass_as_a_halls(signing_env, schedule, seeded, tmp_path):
    """The log's id is hashed into every link: relabelled (and signed again with the
    platform's own key), each line of the platform's bundle fails."""
    bundle = tmp_path / "platform"
    _ok(["audit", "export", "--tenant", PLATFORM_LOG, "--out", str(bundle), "--reason", "核查"])
    manifest = json.loads((bundle / "manifest.json").read_text())
    manifest["tenant_id"] = seeded
    data = json.dumps(manifest).encode()
    (bundle / "manifest.json").write_bytes(data)
    signature = load_signing_key().sign(data)
    (bundle / "manifest.sig").write_text(base64.b64encode(signature).decode())

    report = verify_bundle(bundle, (tmp_path / "platform.pem.pub").read_text())
    altered = [p for p in report.problems if p.message.startswith("altered")]
    assert len(altered) == manifest["count"], report
    assert not [p for p in report.problems if "signature" in p.message]  # only the chain fails


def test_history_of_the_platform_log_is_read_like_a_halls(signing_env, platform, schedule):
    output = _ok(
        [
            "audit",
            "history",
            "--tenant",
            PLATFORM_LOG,
            "--reason",
            "期限核查",
            "--event-type",
            RECORDED,
            "--first",
            "500",
        ]
    )
    entries = json.loads(output)["entries"]
    assert schedule in [e["payload"]["year"] for e in entries]
    assert {e["event_type"] for e in entries} == {RECORDED}
    assert list_access_log(platform.app_pool, PLATFORM_LOG)[0].action == "HISTORY"


def test_the_platform_logs_head_is_published_and_checked(signing_env, platform, schedule):
    output = _ok(["audit", "publish-heads", "--tenant", PLATFORM_LOG])
    tenant, position, digest = output.split()
    assert tenant == PLATFORM_LOG
    assert (int(position), digest) in {
        (h.position, h.hash) for h in heads_in_log(platform.app_pool, PLATFORM_LOG)
    }
    checked = runner.invoke(app, ["audit", "check-heads", "--tenant", PLATFORM_LOG, "--from-log"])
    assert checked.exit_code == 0, checked.output
    assert f"OK: hall {PLATFORM_LOG} position {position}" in checked.output


def test_no_graphql_caller_reads_the_platform_log(gql, token, platform, schedule):
    history = 'query($h: String) { auditHistory(reason: "核查", hallId: $h) { nextAfter } }'
    before = list_access_log(platform.app_pool, PLATFORM_LOG, first=1)
    operator = token(Role.PLATFORM_OPERATOR)
    response = gql(history, {"h": PLATFORM_LOG}, token=operator).json()
    assert [e["extensions"]["code"] for e in response["errors"]] == ["VALIDATION"]
    assert list_access_log(platform.app_pool, PLATFORM_LOG, first=1) == before
