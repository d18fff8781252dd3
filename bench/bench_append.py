"""Appending events through the application layer vs raw single-row PostgreSQL INSERTs.

The application path publishes service items (one event each, with the hall and
uniqueness checks a real command makes); the baseline inserts rows of the same state size
one per transaction into a bare table on the same server, in the same run.
"""

from __future__ import annotations

import os
import time
from typing import Any

import psycopg

from bench.common import fresh_database, result
from deploy.bootstrap import Platform
from deploy.settings import Settings
from services.catalog import CatalogService, ServiceItem
from services.catalog.application import ItemTerms
from services.halls import HallRegistry

__all__ = ["run"]

TERMS = ItemTerms(
    name="帮办代办（全程代办）",
    category="ASSISTANCE",
    legal_basis="《政务延伸服务规范》帮办代办服务",
    materials=["申请人身份证件", "授权委托书"],
    promised_working_days=5,
)


def _raw_inserts(url: str, n: int, state: bytes) -> float:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE raw_events (id bigserial PRIMARY KEY, originator_id uuid,"
            " originator_version int, topic text, state bytea)"
        )
        start = time.perf_counter()
        for _ in range(n):
            conn.execute(
                "INSERT INTO raw_events (originator_id, originator_version, topic, state)"
                " VALUES (gen_random_uuid(), 1, 'bench', %s)",
                (state,),
            )
        return n / (time.perf_counter() - start)


def run(quick: bool) -> list[dict[str, Any]]:
    n = 300 if quick else 3000
    url = fresh_database("yanshen_bench_append")
    platform = Platform.open(Settings(database_url=url), url)
    try:
        platform.hall_app(HallRegistry, "bench").register_hall("bench hall", "", "bench")
        catalog = platform.hall_app(CatalogService, "bench")
        catalog.publish_service_item("WARMUP", TERMS, "bench")
        start = time.perf_counter()
        for i in range(n):
            catalog.publish_service_item(f"ITEM-{i:06d}", TERMS, "bench")
        app_rate = n / (time.perf_counter() - start)
        # The bare application layer: new aggregates saved without a command's checks.
        start = time.perf_counter()
        for i in range(n):
            catalog.save(
                ServiceItem(
                    hall_id="bench",
                    code=f"BARE-{i:06d}",
                    name=TERMS.name,
                    category=TERMS.category,
                    legal_basis=TERMS.legal_basis,
                    materials=list(TERMS.materials),
                    promised_working_days=TERMS.promised_working_days,
                    fee_cents=0,
                    rated=True,
                    actor="bench",
                    timestamp=catalog.clock(),
                )
            )
        save_rate = n / (time.perf_counter() - start)
        with platform.app_pool.connection() as conn:
            conn.execute("SELECT set_config('yanshen.tenant_id', 'bench', false)")
            row = conn.execute("SELECT avg(length(state))::int FROM events").fetchone()
        state_size = int(row[0]) if row and row[0] else 400
    finally:
        platform.close()
    raw_rate = _raw_inserts(url, n, os.urandom(state_size))
    params = {"events": n, "state_bytes": state_size, "halls": 1}
    return [
        result(
            "append.publish_service_item",
            app_rate,
            "events/s",
            "raw single-row INSERT",
            raw_rate,
            params,
        ),
        result(
            "append.application_save",
            save_rate,
            "events/s",
            "raw single-row INSERT",
            raw_rate,
            params,
        ),
    ]
