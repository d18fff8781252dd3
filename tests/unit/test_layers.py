"""The layers import downwards only: the contexts and the read models know nothing of the
gateway or of the entrypoints, the gateway nothing of the entrypoints' wiring
(``deploy.bootstrap``: it is handed the platform it serves), and the contracts nothing of
the code that fills them. Imports for type checking only (``if TYPE_CHECKING:``) are not
imports at run time. (Some application services read the read models through their query
functions: ``services`` may import ``projections``.)"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

RULES = {
    "services": ("gateway", "deploy"),
    "projections": ("gateway", "deploy"),
    "gateway": ("deploy.bootstrap", "deploy.cli", "deploy.runner", "deploy.background"),
    "contracts": ("gateway", "deploy", "projections"),
}
"""Package → the modules its code must not import at run time."""


def runtime_imports(source: str) -> list[tuple[str, int]]:
    """``(module, line)`` of each absolute import outside ``if TYPE_CHECKING:`` blocks."""
    found: list[tuple[str, int]] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                for statement in child.orelse:
                    visit_statement(statement)
                continue
            visit_statement(child)

    def visit_statement(node: ast.AST) -> None:
        if isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, node.lineno))
        visit(node)

    visit(ast.parse(source))
    return found


def _inside(module: str, banned: str) -> bool:
    return module == banned or module.startswith(banned + ".")


def test_the_reader_sees_imports_at_run_time_only():
    source = (
        "from typing import TYPE_CHECKING\n"
        "import deploy.cli\n"
        "if TYPE_CHECKING:\n"
        "    from deploy.bootstrap import Platform\n"
        "def f():\n"
        "    from deploy.runner import run\n"
    )
    assert runtime_imports(source) == [("typing", 1), ("deploy.cli", 2), ("deploy.runner", 6)]


@pytest.mark.parametrize("package", sorted(RULES))
def test_a_layer_imports_nothing_above_it(package):
    wrong = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in sorted((ROOT / package).rglob("*.py"))
        for module, line in runtime_imports(path.read_text(encoding="utf-8"))
        if any(_inside(module, banned) for banned in RULES[package])
    ]
    assert not wrong, "\n".join(wrong)
