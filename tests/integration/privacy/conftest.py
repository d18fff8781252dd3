"""Fixtures of the personal-data tests: a registered hall and a plaintext scanner."""

from __future__ import annotations

import pytest

from services.halls import HallRegistry
from tests.integration.privacy.scanning import find_plaintext

__all__ = ["find_plaintext", "hall"]


@pytest.fixture
def hall(platform, tenant_id) -> str:
    platform.hall_app(HallRegistry, tenant_id).register_hall("隐私测试大厅", "苏州", "op")
    return tenant_id
