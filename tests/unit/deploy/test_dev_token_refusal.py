"""``yanshen dev-token`` refuses with any real key configured, and names the one that is."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from deploy.cli import app

KEYS = {
    "YANSHEN_JWT_SECRET": "a-real-production-key-0123456789abcdef",
    "YANSHEN_JWT_KEYS": "2026-01:" + "k" * 32,
    "YANSHEN_JWT_JWKS": "/etc/yanshen/jwks.json",
}


@pytest.mark.parametrize("variable", sorted(KEYS))
def test_dev_token_refusal_names_the_key_that_is_set(monkeypatch, variable):
    for name in KEYS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(variable, KEYS[variable])
    result = CliRunner().invoke(app, ["dev-token", "--role", "hall_admin", "--tenant", "demo"])
    assert result.exit_code == 2
    output = " ".join(result.output.split())
    assert "refused" in output
    assert variable in output
    assert not [other for other in KEYS if other != variable and other in output]
