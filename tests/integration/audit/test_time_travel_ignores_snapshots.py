"""Auditors' time travel rebuilds records from the hash-chained events, never from snapshots.

Snapshots are a cache beside the log: the hash chain does not cover them and the application
role can insert them. A forged one must not change what ``as-of`` or ``diff`` shows while
``yanshen verify`` finds the chain intact.
"""

from __future__ import annotations

from uuid import UUID

from services.audit import AuditLog, Point
from services.audit.timetravel import record_diff, state_as_of
from services.catalog import CatalogService
from services.store import verify_chain


class _SnapshottingCatalog(CatalogService):
    is_snapshotting_enabled = True


class _SnapshottingLog(AuditLog):
    is_snapshotting_enabled = True


def _forge_snapshot_of_version_1(platform, hall: str) -> UUID:
    """Put a snapshot of RX-001's version 1 with a forged name, as the app role can."""
    forger = platform.hall_app(_SnapshottingCatalog, hall)
    rx = forger.get_item("RX-001").id
    item = forger.repository.get(rx, version=1)
    item.name = "伪造的服务事项"
    assert forger.snapshots is not None
    forger.snapshots.put([type(item).Snapshot.take(item)])
    # the forgery is real: a repository that reads snapshots now rebuilds the forged state
    assert forger.repository.get(rx, version=1).name == "伪造的服务事项"
    assert verify_chain(platform.app_pool, hall).ok
    return rx


def test_a_forged_snapshot_changes_neither_as_of_nor_diff(platform, reader, seeded, auditor):
    rx = str(platform.hall_app(CatalogService, seeded).get_item("RX-001").id)
    genuine = reader.as_of(seeded, auditor, rx, Point(position=9))
    genuine_diff = reader.diff(seeded, auditor, rx, Point(position=9), Point(position=10))
    assert genuine.state["name"] == "免费热线咨询"

    _forge_snapshot_of_version_1(platform, seeded)

    assert reader.as_of(seeded, auditor, rx, Point(position=9)) == genuine
    assert reader.as_of(seeded, auditor, rx, Point(position=10)).state["name"] == (
        "免费热线咨询（12345）"
    )
    diff = reader.diff(seeded, auditor, rx, Point(position=9), Point(position=10))
    assert diff == genuine_diff
    name = next(c for c in diff.changes if c.field == "name")
    assert (name.before, name.after) == ("免费热线咨询", "免费热线咨询（12345）")


def test_time_travel_ignores_snapshots_even_when_the_application_has_a_snapshot_store(
    platform, reader, seeded
):
    """Whatever the snapshotting settings (``IS_SNAPSHOTTING_ENABLED`` in the environment
    turns it on for every application), the rebuild reads only events."""
    rx = _forge_snapshot_of_version_1(platform, seeded)
    log = platform.hall_app(_SnapshottingLog, seeded)
    assert log.snapshots is not None

    state = state_as_of(log, str(rx), Point(position=9), personal=False)
    assert (state.version, state.state["name"]) == (1, "免费热线咨询")
    diff = record_diff(log, str(rx), Point(position=9), Point(position=10), personal=False)
    assert diff.before is not None
    assert diff.before.state["name"] == "免费热线咨询"
    assert (diff.before.version, diff.after.version) == (1, 2)


def test_a_diff_backwards_and_within_one_version(platform, reader, seeded, auditor):
    """One fold serves both points, whichever comes first, and the same version twice."""
    rx = str(platform.hall_app(CatalogService, seeded).get_item("RX-001").id)
    back = reader.diff(seeded, auditor, rx, Point(position=10), Point(position=9))
    assert back.before is not None
    assert (back.before.version, back.after.version) == (2, 1)
    name = next(c for c in back.changes if c.field == "name")
    assert (name.before, name.after) == ("免费热线咨询（12345）", "免费热线咨询")
    same = reader.diff(seeded, auditor, rx, Point(position=10), Point(position=11))
    assert same.before == same.after
    assert same.changes == []
