"""Platform activity counts each event on its Beijing day (commit time, Asia/Shanghai),
whatever the batch it comes in: the day turns at 16:00 UTC."""

from __future__ import annotations

from datetime import date

import psycopg
import pytest

from projections.platform import PlatformProjection
from projections.runtime import apply_next_batch

HALL = "pd-hall"
TOPIC = "services.catalog.domain:ServiceItem.Published"
COMMITTED = [  # UTC commit times: Beijing 23:59:59.999999, 00:00, 07:59, 08:00 (next day)…
    "2026-03-01 15:59:59.999999+00",
    "2026-03-01 16:00:00+00",
    "2026-03-01 23:59:00+00",
    "2026-03-02 00:00:00+00",
    "2026-03-02 15:59:59+00",
    "2026-03-02 16:00:00+00",
]


@pytest.fixture(scope="module")
def log(db_url: str, own_platform) -> None:
    """The hall's log written as the owner, with the commit times above."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        for position, at in enumerate(COMMITTED, start=1):
            conn.execute(
                "INSERT INTO events (tenant_id, position, originator_id, originator_version,"
                " topic, state, recorded_at, prev_hash, hash)"
                " VALUES (%s, %s, %s, 1, %s, '{}'::bytea, %s, '\\x00', '\\x00')",
                (HALL, position, f"item-{position}", TOPIC, at),
            )
        conn.execute(
            "INSERT INTO tenant_heads (tenant_id, position) VALUES (%s, %s)",
            (HALL, len(COMMITTED)),
        )


@pytest.mark.parametrize("batch_size", [1, 2, 6])
def test_each_event_counts_on_its_beijing_day_in_any_batch(own_platform, log, batch_size):
    projection = PlatformProjection()
    consumer = f"test:platform-days-{batch_size}"
    with own_platform.worker_pool.connection() as conn:
        conn.execute("DELETE FROM platform_daily_activity WHERE tenant_id = %s", (HALL,))
        conn.commit()
        while True:
            with conn.transaction():
                covered, _ = apply_next_batch(
                    conn, projection, consumer=consumer, tenant_id=HALL,
                    limit=batch_size, topics=frozenset(), live=False,
                )  # fmt: skip
            if covered < batch_size:
                break
        days = conn.execute(
            "SELECT day, events FROM platform_daily_activity WHERE tenant_id = %s ORDER BY day",
            (HALL,),
        ).fetchall()
    assert days == [(date(2026, 3, 1), 1), (date(2026, 3, 2), 4), (date(2026, 3, 3), 1)]
