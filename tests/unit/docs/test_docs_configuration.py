"""docs/configuration.md's tables are the environment variables of the code: every variable
the code reads has a row, every row names a variable the code reads, and a documented
default is the code's (setting a variable to its documented default changes nothing).

Supersedes the one-way checks of ``tests/unit/test_configuration_documented.py`` and
``tests/unit/gateway/test_configuration_documented.py``.
"""

from __future__ import annotations

import inspect
import re
from functools import cache
from pathlib import Path

import pytest

from deploy.settings import Settings
from projections.runtime.options import ProjectionOptions
from services.relay.config import RelayConfig
from services.shared.metrics import metrics_port
from tests.unit.docs.support import ROOT, table_rows

DOC = ROOT / "docs" / "configuration.md"
CODE = ("deploy", "services", "projections", "gateway", "contracts")

_VARIABLE = r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+"
_READS = [
    # Any mention of one of the platform's own variables.
    re.compile(r"\b(YANSHEN_[A-Z0-9_]*[A-Z0-9])\b"),
    # os.environ.get("X"), env.get("X"), e.get("X", …), self.env.get("X"), os.getenv("X")
    re.compile(rf"\b(?:get|getenv)\(\s*\"({_VARIABLE})\""),
    re.compile(rf"\benviron\[\s*\"({_VARIABLE})\"\s*\]"),
    # read_int(e, "X", …), _get(e, "X"), and the settings' local helpers text("X"), count("X")
    re.compile(rf"\b(?:read_\w+|_get|text|count)\(\s*(?:\w+,\s*)?\"({_VARIABLE})\""),
]


def variables_in_code(folders: tuple[str, ...] = CODE) -> dict[str, Path]:
    """Every environment variable the code reads, with a file that reads it."""
    found: dict[str, Path] = {}
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            for pattern in _READS:
                for name in pattern.findall(text):
                    found.setdefault(name, path.relative_to(ROOT))
    return found


@cache
def documented() -> dict[str, tuple[int, str]]:
    """Every variable of a table of docs/configuration.md: ``(line, default cell)``. A row
    may name several (``A`` / ``B``, defaults ``x`` / ``y``)."""
    rows: dict[str, tuple[int, str]] = {}
    for line, cells in table_rows(DOC):
        names = re.findall(rf"`({_VARIABLE})`", cells[0])
        if not names or re.sub(rf"`{_VARIABLE}`|\s|/", "", cells[0]):
            continue  # not a variable row
        defaults = cells[1].split(" / ") if len(names) > 1 else [cells[1]]
        for index, name in enumerate(names):
            rows.setdefault(name, (line, defaults[min(index, len(defaults) - 1)]))
    return rows


def test_the_tables_are_read():
    assert {"YANSHEN_JWT_JWKS", "YANSHEN_PORT", "YANSHEN_KAFKA_PARTITIONS"} <= set(documented())
    assert {"YANSHEN_LEASE_TTL", "DATABASE_URL", "YANSHEN_POOL_KEY"} <= set(variables_in_code())


def test_every_variable_the_code_reads_is_documented():
    missing = {n: str(p) for n, p in variables_in_code().items() if n not in documented()}
    assert not missing, f"add a row to docs/configuration.md for: {missing}"


def test_every_documented_variable_is_read_by_the_code():
    code = variables_in_code()
    stale = {name: f"line {line}" for name, (line, _) in documented().items() if name not in code}
    assert not stale, f"docs/configuration.md documents variables nothing reads: {stale}"


def _readers(env: dict[str, str]) -> tuple[object, ...]:
    return (
        Settings.from_env(env),
        RelayConfig.from_env(env),
        ProjectionOptions.from_env(env),
    )


@cache
def _read_by_readers() -> set[str]:
    """The variables the modules of :func:`_readers` read."""
    files = {Path(inspect.getfile(c)).resolve() for c in (Settings, RelayConfig, ProjectionOptions)}
    files.add(Path(inspect.getfile(metrics_port)).resolve())
    return {n for n, p in variables_in_code().items() if (ROOT / p).resolve() in files} | {
        n for n in variables_in_code() if any(n in f.read_text("utf-8") for f in files)
    }


@cache
def _flags() -> set[str]:
    """The on/off settings (read with ``read_flag``)."""
    return {
        name
        for folder in CODE
        for path in (ROOT / folder).rglob("*.py")
        for name in re.findall(
            rf"\bread_flag\(\s*\w+,\s*\"({_VARIABLE})\"", path.read_text("utf-8")
        )
    }


def _literal_default(cell: str) -> str | None:
    """The value a default cell gives: its first code span, ``(empty)``, or ``(off)`` (``0``
    of an on/off setting); None for a default that is no value (``(random)``)."""
    if cell.startswith("*(empty)*"):
        return ""
    if cell.startswith("*(off)*"):
        return "0"
    match = re.match(r"`([^`]*)`", cell)
    return match[1] if match else None


def _checkable() -> list[str]:
    """The documented variables with a default that is a value, read by the settings'
    readers (the others — ``(random)``, a path of the machine — have nothing to compare)."""
    return sorted(
        name
        for name, (_, cell) in documented().items()
        if _literal_default(cell) is not None and name in _read_by_readers()
    )


def test_most_documented_defaults_are_checked():
    assert len(_checkable()) > len(documented()) // 2


@pytest.mark.parametrize("name", _checkable())
def test_the_documented_default_is_the_codes(name):
    line, cell = documented()[name]
    value = _literal_default(cell)
    assert value is not None
    if cell.startswith("*(off)*") and name not in _flags():
        value = ""  # a number or text that is off when unset
    assert _readers({name: value}) == _readers({}), (
        f"docs/configuration.md line {line}: {name}={value} is not what the code does "
        "when it is unset"
    )
