"""The demo hall ``demo``: a registered hall with a small catalog, two windows and three staff."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from deploy.bootstrap import Platform
from services.catalog import CatalogService
from services.catalog.application import ItemTerms
from services.halls import HallRegistry
from services.places import PlacesService
from services.shared import ConflictError
from services.staff import StaffService

__all__ = ["DEMO_HALL", "seed_demo_hall"]

DEMO_HALL = "demo"
_ACTOR = "seed-demo"

_ITEMS = {
    "BDB-001": ItemTerms(
        name="帮办代办（全程代办）",
        category="ASSISTANCE",
        legal_basis="《政务延伸服务规范》帮办代办服务",
        materials=["申请人身份证件", "授权委托书", "办理事项所需材料"],
        promised_working_days=5,
        fee_cents=0,
        rated=True,
    ),
    "RX-001": ItemTerms(
        name="免费热线咨询",
        category="HOTLINE_CONSULTATION",
        legal_basis="《政务延伸服务规范》免费热线咨询服务",
        materials=[],
        promised_working_days=2,
        fee_cents=0,
        rated=True,
    ),
    "QY-001": ItemTerms(
        name="企业注册地址服务",
        category="REGISTERED_ADDRESS",
        legal_basis="《政务延伸服务规范》企业注册地址服务",
        materials=["营业执照申请材料", "住所使用承诺书"],
        promised_working_days=3,
        fee_cents=0,
        rated=True,
    ),
}
_WINDOWS = [
    ("W01", "综合受理窗口", "COMPREHENSIVE", ["RX-001", "QY-001"]),
    ("W02", "帮办代办窗口", "ASSISTANCE", ["BDB-001"]),
]
_STAFF = [
    ("S001", "王芳", "WINDOW_STAFF", ["综合受理"]),
    ("S002", "李强", "AGENT", ["帮办代办", "企业开办"]),
    ("S003", "陈静", "HALL_ADMIN", ["现场管理"]),
]


def seed_demo_hall(platform: Platform, hall_id: str = DEMO_HALL) -> int:
    """Seed the demo hall; returns how many records it created (0 when all were there).

    Each record is created only when missing, so an interrupted seed completes on the next run.
    """
    steps: list[Callable[[], object]] = [
        lambda: platform.hall_app(HallRegistry, hall_id).register_hall(
            "示范政务服务大厅", "江苏省苏州市", _ACTOR
        )
    ]
    catalog = platform.hall_app(CatalogService, hall_id)
    steps += [
        partial(catalog.publish_service_item, code, terms, _ACTOR) for code, terms in _ITEMS.items()
    ]
    places = platform.hall_app(PlacesService, hall_id)
    steps += [
        partial(places.configure_window, code, name, kind, items, _ACTOR)
        for code, name, kind, items in _WINDOWS
    ]
    staff = platform.hall_app(StaffService, hall_id)
    steps += [
        partial(staff.onboard_staff, badge, name, role, skills, _ACTOR)
        for badge, name, role, skills in _STAFF
    ]
    created = 0
    for step in steps:
        try:
            step()
            created += 1
        except ConflictError:
            pass  # already there
    return created
