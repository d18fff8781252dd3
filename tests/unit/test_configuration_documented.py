"""Every YANSHEN_* variable the code reads is documented in docs/configuration.md."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parents[2]
CODE = ["services", "projections", "gateway", "deploy", "contracts"]


def test_every_environment_variable_is_documented():
    documented = (ROOT / "docs" / "configuration.md").read_text("utf-8")
    used = {
        name
        for folder in CODE
        for path in (ROOT / folder).rglob("*.py")
        for name in re.findall(r"\bYANSHEN_[A-Z_]+[A-Z]\b", path.read_text("utf-8"))
    }
    missing = sorted(name for name in used if name not in documented)
    assert not missing, f"add these to docs/configuration.md: {missing}"
