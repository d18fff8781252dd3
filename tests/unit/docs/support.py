"""Reading README.md and docs/: code blocks, inline code spans, tables."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]

_FENCE = re.compile(r"^( *)```([\w-]*)\n(.*?)^\1```$", re.MULTILINE | re.DOTALL)
_SPAN = re.compile(r"`([^`]+)`")


@dataclass(frozen=True)
class Snippet:
    """A code block (``language`` its fence's tag, "" for none) or an inline span
    (``language`` "inline") of a document, ``line`` where it starts."""

    path: Path
    line: int
    language: str
    text: str

    def __str__(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def blocks(path: Path) -> Iterator[Snippet]:
    """The fenced code blocks of ``path``, their indentation removed."""
    text = path.read_text(encoding="utf-8")
    for match in _FENCE.finditer(text):
        indent = len(match.group(1))
        body = "\n".join(line[indent:] for line in match.group(3).splitlines())
        yield Snippet(path, _line(text, match.start()), match.group(2), body)


def spans(path: Path) -> Iterator[Snippet]:
    """The inline code spans of ``path`` outside code blocks (a span may wrap a line)."""
    text = path.read_text(encoding="utf-8")
    # Blank out code blocks, keeping the line count.
    prose = _FENCE.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    for match in _SPAN.finditer(prose):
        yield Snippet(path, _line(prose, match.start()), "inline", " ".join(match[1].split()))


def table_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """``(line, cells)`` of every table row of ``path`` (header and separator rows left out)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, 1):
        if not line.startswith("|") or re.fullmatch(r"\|[\s|:-]*\|", line):
            continue
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        following = lines[number] if number < len(lines) else ""
        if re.fullmatch(r"\|[\s|:-]*\|", following):  # a header row
            continue
        yield number, cells
