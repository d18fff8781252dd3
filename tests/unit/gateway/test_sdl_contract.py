"""The SDL in contracts/schema.graphql is the schema, and changes to it never break clients."""

from __future__ import annotations

import subprocess

import pytest

from gateway.schema import CONTRACT, breaking_changes, main, sdl

OLD = """
type Query {
  item(code: String!, lang: String): Item
  old: String @deprecated(reason: "use item")
  kept: Int
}
type Item { code: String!, name: String!, legacy: Legacy @deprecated(reason: "gone soon") }
type Legacy { x: Int }
enum Status { OPEN, CLOSED, ODD @deprecated(reason: "unused") }
type Mutation { close(status: Status!): Status }
"""


def _committed_contract() -> str:
    """The contract as committed (HEAD), or the file when not in a git work tree."""
    try:
        return subprocess.run(
            ["git", "show", f"HEAD:{CONTRACT.relative_to(CONTRACT.parents[1]).as_posix()}"],
            cwd=CONTRACT.parents[1],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return CONTRACT.read_text(encoding="utf-8")


def test_the_contract_file_is_the_current_schema():
    assert CONTRACT.read_text(encoding="utf-8") == sdl(), (
        "the GraphQL schema changed: run `.venv/bin/python -m gateway.schema` and commit "
        "contracts/schema.graphql"
    )


def test_the_schema_does_not_break_the_committed_contract():
    assert breaking_changes(_committed_contract(), sdl()) == []


def test_the_export_refuses_to_write_a_breaking_change(tmp_path, monkeypatch, capsys):
    contract = tmp_path / "schema.graphql"
    contract.write_text(OLD)
    monkeypatch.setattr("gateway.schema.CONTRACT", contract)
    assert main(["--check"]) == 1
    assert "FIELD_REMOVED: Field Query.item was removed." in capsys.readouterr().out
    assert contract.read_text() == OLD


@pytest.mark.parametrize(
    ("change", "new"),
    [
        ("FIELD_REMOVED: Field Query.kept", OLD.replace("  kept: Int\n", "")),
        (
            "FIELD_CHANGED_KIND: Field Query.kept changed type from Int to String.",
            OLD.replace("kept: Int", "kept: String"),
        ),
        ("ARG_REMOVED: Argument Query.item(lang:)", OLD.replace(", lang: String", "")),
        ("VALUE_REMOVED_FROM_ENUM: Enum value Status.CLOSED", OLD.replace("CLOSED, ", "")),
        (
            "FIELD_CHANGED_KIND: Field Item.name changed type from String! to String.",
            OLD.replace("name: String!", "name: String"),
        ),
    ],
)
def test_removing_or_retyping_what_was_not_deprecated_is_breaking(change, new):
    found = breaking_changes(OLD, new)
    assert len(found) == 1
    assert found[0].startswith(change)


def test_removing_what_was_deprecated_first_is_allowed():
    new = (
        OLD.replace('  old: String @deprecated(reason: "use item")\n', "")
        .replace(', legacy: Legacy @deprecated(reason: "gone soon")', "")
        .replace("type Legacy { x: Int }\n", "")
        .replace(', ODD @deprecated(reason: "unused")', "")
    )
    assert breaking_changes(OLD, new) == []


def test_additions_are_not_breaking():
    new = OLD.replace("  kept: Int\n", "  kept: Int\n  added(first: Int): [Item!]!\n")
    assert breaking_changes(OLD, new) == []
