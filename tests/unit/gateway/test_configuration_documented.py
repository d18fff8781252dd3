"""Every environment variable the settings read is documented in docs/configuration.md."""

from __future__ import annotations

import re
from pathlib import Path

import deploy.settings

ROOT = Path(__file__).resolve().parents[3]


def test_every_setting_is_documented():
    source = Path(deploy.settings.__file__).read_text(encoding="utf-8")
    names = set(re.findall(r'"((?:YANSHEN|KAFKA|DATABASE)_[A-Z_]+)"', source))
    assert "YANSHEN_JWT_JWKS" in names
    documented = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert sorted(n for n in names if f"`{n}`" not in documented) == []
