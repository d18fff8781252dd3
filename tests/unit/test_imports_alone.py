"""Every module imports on its own, first, in a fresh interpreter.

A rebuild's worker processes (``yanshen rebuild --jobs``, spawned) and the CLI's commands
import one read model or one context first, not the whole platform in the order the gateway
does. An import cycle between contexts (the queue importing the evaluations' application,
which imports the places, which import the queue) only shows in such an order: the suite,
importing everything through its fixtures, never sees it, and a rebuild process dies with
``ImportError: … partially initialized module``. So each package is imported alone, in an
interpreter of its own (one interpreter cannot import a package afresh: the event classes'
topics are registered once). Packages, not every module: a package's ``__init__`` imports
its modules, and every import of a module runs its package's ``__init__`` first, so a cycle
through any module shows from the package; and 349 interpreters cost minutes of a shared
machine's CPU where 59 cost seconds.
"""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("services", "projections", "gateway", "contracts", "deploy")


def _packages() -> list[str]:
    return [
        ".".join(path.relative_to(ROOT).parent.parts)
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("__init__.py"))
    ]


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


def test_the_list_covers_every_context_and_read_model():
    packages = _packages()
    assert {"services", "projections.evaluations", "services.queue", "gateway"} <= set(packages)
    assert len(packages) > 50


def test_every_package_imports_alone_in_a_fresh_interpreter():
    with ThreadPoolExecutor(max_workers=2) as pool:
        failures = [(name, error) for name, error in pool.map(_import_alone, _packages()) if error]
    assert not failures, "\n\n".join(f"{name}:\n{error[-1500:]}" for name, error in failures)
