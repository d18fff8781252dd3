"""Fixtures of the audit tests: a seeded hall with some history, and the audit reader; the
read-model tests' halls (``hall``, ``other_hall``, ``app_at``) for the trail's tests."""

from __future__ import annotations

import pytest

from deploy.demo import seed_demo_hall
from services.audit import Accessor, AuditReader
from services.catalog import CatalogService
from services.catalog.application import ItemTerms
from tests.integration.privacy.scanning import find_plaintext
from tests.integration.read_models.conftest import app_at, hall, other_hall

__all__ = ["app_at", "auditor", "find_plaintext", "hall", "other_hall", "reader", "seeded"]


@pytest.fixture
def seeded(platform, tenant_id) -> str:
    """A demo hall (9 events), then item RX-001 revised (10) and QY-001 withdrawn (11)."""
    seed_demo_hall(platform, tenant_id)
    catalog = platform.hall_app(CatalogService, tenant_id)
    catalog.revise_service_item(
        "RX-001",
        ItemTerms(name="免费热线咨询（12345）", category="HOTLINE_CONSULTATION"),
        "admin-2",
    )
    catalog.withdraw_service_item("QY-001", "改由线上办理", "admin-2")
    return tenant_id


@pytest.fixture
def reader(platform) -> AuditReader:
    return AuditReader(platform.store)


@pytest.fixture
def auditor() -> Accessor:
    return Accessor(actor="au-1", role="auditor", reason="2026 年度审计抽查")


@pytest.fixture
def signing_env(monkeypatch, database_url, tmp_path):
    """The CLI on the test database with a fresh platform signing key; returns the key."""
    from typer.testing import CliRunner

    from deploy.cli import app

    monkeypatch.setenv("DATABASE_URL", database_url)
    key = tmp_path / "platform.pem"
    assert CliRunner().invoke(app, ["audit", "keygen", "--out", str(key)]).exit_code == 0
    monkeypatch.setenv("YANSHEN_AUDIT_SIGNING_KEY_FILE", str(key))
    return key
