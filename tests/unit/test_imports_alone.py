"""Every module imports on its own, first, in a fresh interpreter.

A rebuild's worker processes (``yanshen rebuild --jobs``, spawned) and the CLI's commands
import one read model or one context first, not the whole platform in the order the gateway
does. An import cycle between contexts (the queue importing the evaluations' application,
which imports the places, which import the queue) only shows in such an order: the suite,
importing everything through its fixtures, never sees it, and a rebuild process dies with
``ImportError: … partially initialized module``. So each module is imported alone, in an
interpreter of its own (one interpreter cannot import a module afresh: the event classes'
topics are registered once).
"""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("services", "projections", "gateway", "contracts", "deploy")


def _modules() -> list[str]:
    found: list[str] = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__main__":
                continue  # runs the program
            found.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return found


def _import_alone(name: str) -> tuple[str, str]:
    """``(name, the error output)`` of importing ``name`` first in a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, "-c", f"import {name}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return name, done.stderr if done.returncode else ""


def test_the_module_list_covers_the_packages():
    modules = _modules()
    assert "projections.evaluations" in modules
    assert "services.queue.application" in modules
    assert len(modules) > 200


def test_every_module_imports_alone_in_a_fresh_interpreter():
    with ThreadPoolExecutor(max_workers=2) as pool:
        failures = [(name, error) for name, error in pool.map(_import_alone, _modules()) if error]
    assert not failures, "\n\n".join(f"{name}:\n{error[-1500:]}" for name, error in failures)
