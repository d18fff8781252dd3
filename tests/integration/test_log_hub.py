"""The gateway's :class:`LogHub` after its ``LISTEN`` connection was lost: a subscriber
learns of the commits made while it was down (they sent their ``NOTIFY`` to nobody)."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import psycopg

from gateway.subscriptions import hub as hub_module
from gateway.subscriptions.hub import HallWatch, LogHub
from gateway.subscriptions.sources import hall_log_moves, log_head
from tests.integration.relay.support import publish_items, register_hall


def test_a_watch_pushed_zero_forgets_its_position():
    """``push(0)``: the position is unknown (the reader re-reads the log's head)."""
    watch = HallWatch("h")
    watch.push(5)
    watch.push(0)
    assert watch.position == 0
    watch.push(7)
    watch.push(6)  # an older notification arriving late moves nothing back
    assert watch.position == 7


def test_commits_made_while_the_hub_reconnects_reach_its_subscribers(
    platform: Any, app_pool: Any, database_url: str, tenant_id: str, monkeypatch: Any
):
    hall = tenant_id
    register_hall(platform, hall)
    publish_items(platform, hall, ["S-1"])
    real_connect = psycopg.AsyncConnection.connect
    reconnects = 0

    async def connect_after_a_commit(*args: Any, **kwargs: Any) -> Any:
        nonlocal reconnects
        reconnects += 1  # a commit while nobody listens
        await asyncio.to_thread(publish_items, platform, hall, [f"S-down-{reconnects}"])
        return await real_connect(*args, **kwargs)

    async def scenario() -> tuple[list[int], int]:
        hub = LogHub(database_url)
        principal = SimpleNamespace(expires_at=None)
        settings = SimpleNamespace(jwt_leeway_seconds=0)
        platform_ctx = SimpleNamespace(app_pool=app_pool, settings=settings)
        info = SimpleNamespace(
            context=SimpleNamespace(hub=hub, platform=platform_ctx, principal=principal)
        )
        moves = hall_log_moves(info, hall)  # type: ignore[arg-type]
        try:
            seen = [await asyncio.wait_for(moves.__anext__(), 10)]
            await asyncio.to_thread(publish_items, platform, hall, ["S-2"])
            seen.append(await asyncio.wait_for(moves.__anext__(), 10))
            monkeypatch.setattr(psycopg.AsyncConnection, "connect", connect_after_a_commit)
            with psycopg.connect(database_url, autocommit=True) as admin:
                admin.execute(  # this worker's database only: not other tests' hubs
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE application_name = %s AND datname = current_database()",
                    (hub_module.APPLICATION_NAME,),
                )
            seen.append(await asyncio.wait_for(moves.__anext__(), 10))
        finally:
            monkeypatch.setattr(psycopg.AsyncConnection, "connect", real_connect)
            await moves.aclose()
            await hub.close()
        return seen, await asyncio.to_thread(log_head, app_pool, hall)

    seen, head = asyncio.run(scenario())
    assert reconnects >= 1
    assert seen[:2] == [1 + 1, 1 + 2]  # the hall's registration, then S-1, then S-2
    assert seen[-1] == head  # the commit made while the hub was down
