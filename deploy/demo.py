"""The demo hall ``demo``: a registered hall with a small catalog, two queues, two windows
and three staff.

Queue ZH (综合受理, numbers A001…) is served by window W01, queue BD (帮办代办, B001…) by W02;
S001 holds the A post at W01, S002 at W02, and the hall admin S003 the B post (backup) at
both. So ``make run`` shows a working queue board (``queueBoard``): take a ticket
(``issueTicket``), sign a staff member in at their window (``signInStaff``), open it
(``openWindow``) and call (``callNextTicket``) with a staff token whose subject is the badge.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from deploy.bootstrap import Platform
from services.catalog import CatalogService
from services.catalog.application import ItemTerms
from services.halls import HallRegistry
from services.places import PlacesService
from services.queue import QueueService
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
_QUEUES = [
    ("ZH", "综合受理", "A", ["RX-001", "QY-001"]),
    ("BD", "帮办代办", "B", ["BDB-001"]),
]
_WINDOWS = [
    ("W01", "综合受理窗口", "COMPREHENSIVE", ["RX-001", "QY-001"], ["ZH"]),
    ("W02", "帮办代办窗口", "ASSISTANCE", ["BDB-001"], ["BD"]),
]
_STAFF = [
    ("S001", "王芳", "WINDOW_STAFF", ["综合受理"]),
    ("S002", "李强", "AGENT", ["帮办代办", "企业开办"]),
    ("S003", "陈静", "HALL_ADMIN", ["现场管理"]),
]
_POSTS = [("S001", "W01", "A"), ("S002", "W02", "A"), ("S003", "W01", "B"), ("S003", "W02", "B")]


def _windows(queues: bool) -> list[tuple[str, str, str, list[str], list[str]]]:
    """The windows to configure, serving their queues or (without queues) none."""
    return [(c, n, k, items, served if queues else []) for c, n, k, items, served in _WINDOWS]


class _AlreadySeededError(ConflictError):
    """A seed step found its record as it wants it."""


def _link_window(places: PlacesService, code: str, queue_codes: list[str]) -> None:
    """Serve ``queue_codes`` at window ``code`` (windows seeded before queues had none)."""
    window = places.get_window(code)
    if window.queue_codes == queue_codes:
        raise _AlreadySeededError(f"window {code!r} already serves {queue_codes}")
    places.reconfigure_window(
        code, window.name, window.window_type.value, window.item_codes, queue_codes, _ACTOR
    )


def seed_demo_hall(
    platform: Platform, hall_id: str = DEMO_HALL, *, queues: bool | None = None
) -> int:
    """Seed the demo hall; returns how many records it created (0 when all were there).

    Each record is created only when missing, so an interrupted seed completes on the next run.
    ``queues`` adds the queue board's setup (queues, windows serving them, staff posts); by
    default only the demo hall itself gets it, so another hall seeded with the demo's records
    (tests use it as a realistic hall) holds the nine records it always did.
    """
    if queues is None:
        queues = hall_id == DEMO_HALL
    steps: list[Callable[[], object]] = [
        lambda: platform.hall_app(HallRegistry, hall_id).register_hall(
            "示范政务服务大厅", "江苏省苏州市", _ACTOR
        )
    ]
    catalog = platform.hall_app(CatalogService, hall_id)
    steps += [
        partial(catalog.publish_service_item, code, terms, _ACTOR) for code, terms in _ITEMS.items()
    ]
    if queues:
        board = platform.hall_app(QueueService, hall_id)
        steps += [
            partial(board.configure_queue, code, name, prefix, items, _ACTOR)
            for code, name, prefix, items in _QUEUES
        ]
    places = platform.hall_app(PlacesService, hall_id)
    steps += [
        partial(places.configure_window, code, name, kind, items, _ACTOR, queue_codes=served)
        for code, name, kind, items, served in _windows(queues)
    ]
    staff = platform.hall_app(StaffService, hall_id)
    steps += [
        partial(staff.onboard_staff, badge, name, role, skills, _ACTOR)
        for badge, name, role, skills in _STAFF
    ]
    if queues:
        steps += [partial(_link_window, places, code, served) for code, *_, served in _WINDOWS]
        steps += [
            partial(staff.assign_to_window, badge, window, post, _ACTOR)
            for badge, window, post in _POSTS
        ]
    created = 0
    for step in steps:
        try:
            step()
            created += 1
        except ConflictError:
            pass  # already there
    return created
