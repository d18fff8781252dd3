"""What README.md and docs/ say about the ``yanshen`` command is what it takes: every
command line they show names a real command with its real options, every command is
documented, and ``yanshen rebuild NAME`` names a real projection."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from typer.main import get_command

from deploy.bootstrap import all_projections
from deploy.cli import app
from tests.unit.docs.support import DOCS, ROOT, Snippet, blocks, spans

_INVOCATION = re.compile(
    r"(?<![\w/.-])(?:\S*/)?yanshen(?![\w.-])((?: +(?:[\w.…<>\[\]'\"*:/@|+-]+|\\\n))*)"
)
"""``yanshen`` (or ``.venv/bin/yanshen``) and the words after it on its line (a line that
ends with a backslash goes on)."""


@dataclass(frozen=True)
class Command:
    path: tuple[str, ...]
    options: frozenset[str]
    required: frozenset[str]
    """The options it cannot do without."""
    subcommands: frozenset[str]


@cache
def commands() -> dict[tuple[str, ...], Command]:
    """Every command and group of ``yanshen`` by its path (the root is ``()``), walked
    from typer's click tree."""
    found: dict[tuple[str, ...], Command] = {}

    def walk(command: Any, path: tuple[str, ...]) -> None:
        options = {
            option
            for param in command.params
            for option in (*param.opts, *param.secondary_opts)
            if option.startswith("-")
        }
        required = {p.opts[0] for p in command.params if p.required and p.opts[0][0] == "-"}
        subcommands = getattr(command, "commands", {})
        found[path] = Command(
            path, frozenset({*options, "--help"}), frozenset(required), frozenset(subcommands)
        )
        for name, sub in subcommands.items():
            walk(sub, (*path, name))

    walk(get_command(app), ())
    return found


@dataclass(frozen=True)
class Invocation:
    snippet: Snippet
    words: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join(("yanshen", *self.words))

    @property
    def synopsis(self) -> bool:
        """A whole command line to copy (a code block) or a usage line (a table's), not a
        prose mention such as `yanshen audit export --tenant platform`."""
        if self.snippet.language != "inline":
            return True
        lines = self.snippet.path.read_text(encoding="utf-8").splitlines()
        return lines[self.snippet.line - 1].startswith("|")


def invocations() -> list[Invocation]:
    """Every ``yanshen …`` command line of the docs, in code spans and code blocks (a
    ``#`` comment ends it)."""
    found = []
    for path in DOCS:
        for snippet in (*spans(path), *blocks(path)):
            if snippet.language not in ("", "inline", "sh", "shell", "bash", "console"):
                continue
            text = snippet.text.replace("\\|", "|")  # in a table
            for match in _INVOCATION.finditer(text):
                line = match[1].replace("\\\n", " ")
                words = tuple(line.split("#", 1)[0].split())
                command, rest = resolve(words)
                if command.subcommands and rest and "|" in rest[0]:
                    continue  # `yanshen audit history|as-of|…`: several commands at once
                found.append(Invocation(snippet, words))
    return found


def resolve(words: tuple[str, ...]) -> tuple[Command, tuple[str, ...]]:
    """The command ``words`` name (the longest path), and the words after it."""
    path: tuple[str, ...] = ()
    rest = words
    while rest and rest[0] in commands()[path].subcommands:
        path, rest = (*path, rest[0]), rest[1:]
    return commands()[path], rest


def test_the_docs_show_command_lines():
    assert len(invocations()) >= 40
    assert len(commands()) >= 20


def test_every_command_line_in_the_docs_names_a_command_and_its_options():
    problems = []
    for invocation in invocations():
        command, rest = resolve(invocation.words)
        if command.subcommands and rest and re.fullmatch(r"[a-z][\w-]*", rest[0]):
            problems.append(
                f"{invocation.snippet}: `{invocation.text}`: {rest[0]!r} is no command of "
                f"`{' '.join(('yanshen', *command.path))}` "
                f"({', '.join(sorted(command.subcommands))})"
            )
            continue
        for word in rest:
            option = re.match(r"\[?(--?[a-z][\w-]*)", word)
            if option and option[1] not in command.options:
                problems.append(
                    f"{invocation.snippet}: `{invocation.text}`: `yanshen "
                    f"{' '.join(command.path)}` has no option {option[1]}"
                )
    assert not problems, "\n".join(problems)


def test_every_command_line_in_the_docs_has_the_required_options():
    """A command line of a code block or a table that shows options shows those the command
    requires (`…` stands for the rest)."""
    problems = []
    for invocation in invocations():
        command, rest = resolve(invocation.words)
        shown = {re.sub(r"^\[", "", w) for w in rest}
        if not invocation.synopsis or "…" in shown or not any(w.startswith("--") for w in shown):
            continue
        if missing := sorted(command.required - shown):
            problems.append(f"{invocation.snippet}: `{invocation.text}` lacks {missing}")
    assert not problems, "\n".join(problems)


def test_every_command_is_documented():
    """``yanshen <path>`` of every command and group appears in README.md or docs/."""
    shown = {inv.words[:n] for inv in invocations() for n in range(1, len(inv.words) + 1)}
    missing = [" ".join(p) for p in commands() if p and p not in shown]
    assert not missing, f"document these commands (README.md or docs/): {missing}"


def test_every_projection_named_for_rebuild_exists():
    names = {p.name for p in all_projections()} | {"all"}
    problems = []
    for invocation in invocations():
        command, rest = resolve(invocation.words)
        if command.path != ("rebuild",) or not rest:
            continue
        if re.fullmatch(r"[a-z_]+", rest[0]) and rest[0] not in names:
            problems.append(f"{invocation.snippet}: no projection {rest[0]!r}")
    assert not problems, "\n".join(problems)


def test_the_schedule_file_of_docs_working_days_is_read_and_recorded(tmp_path, hall_apps):
    """The JSON example of docs/working-days.md is a file `yanshen calendar record` takes,
    and a schedule the platform records."""
    from deploy.cli_calendar import read_schedule_file
    from services.holidays import HolidaySchedules
    from services.shared.ids import PLATFORM_LOG

    doc = ROOT / "docs" / "working-days.md"
    [example] = [b for b in blocks(doc) if b.language == "json"]
    path = tmp_path / "schedule.json"
    path.write_text(example.text, encoding="utf-8")
    schedule = read_schedule_file(path)
    app = hall_apps(HolidaySchedules, PLATFORM_LOG)
    recorded, _ = app.record_schedule(
        schedule.year, schedule.rest_days, schedule.working_days, schedule.notice, "docs"
    )
    assert recorded.year == schedule.year
