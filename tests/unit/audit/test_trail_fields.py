"""The audit trail reads a few fields of every event straight from the log (store migration
0012: expression indexes and views), with no per-type check of personal fields. What keeps
personal data out of the trail is that no published contract marks one of them personal."""

from __future__ import annotations

from pathlib import Path

from contracts import EVENT_TYPES

TRAIL_FIELDS = {
    "actor",
    "queue_code",
    "service_day",
    "display_number",
    "number",
    "prefix",
    "code",
    "badge_number",
}
"""Every field of an event's state the trail's SQL functions read (besides the timestamp and
class_version, which are the library's)."""

MIGRATION = Path(__file__).parents[3] / "services/store/sql/0012_audit_trail_from_the_log.sql"


def test_no_contract_marks_a_field_the_trail_reads_personal() -> None:
    personal = {
        (t.name, field) for t in EVENT_TYPES for field in t.personal_fields if field in TRAIL_FIELDS
    }
    assert personal == set()


def test_the_trail_reads_no_other_field() -> None:
    """The list above is the migration's: a field read there and not listed would escape the
    check."""
    sql = MIGRATION.read_text(encoding="utf-8")
    read = {part.split("'")[1] for part in sql.split("->> ")[1:] if part.startswith("'")}
    assert read == TRAIL_FIELDS | {"class_version"}
