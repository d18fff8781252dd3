"""Readiness and metrics as an orchestrator and Prometheus see them: a dead background
worker or an unreachable database is named; a partner's backfill cursor is no lag; a
request that cannot get a connection answers UNAVAILABLE within seconds."""

from __future__ import annotations

import dataclasses
import time

import httpx
import psycopg

from deploy.bootstrap import Platform
from gateway.app import create_app
from services.store import open_pool
from tests.conftest import _free_port
from tests.e2e.gateway.conftest import Server, codes

CATALOG = "query($h: String!) { serviceCatalog(hallId: $h) { code } }"


def test_ready_names_a_background_worker_that_stopped(platform: Platform):
    app = create_app(platform, readiness=lambda: "background worker stopped: projection worker")
    with Server(app) as server:
        r = httpx.get(f"{server.url}/ready")
    assert r.status_code == 503
    assert r.json() == {
        "status": "unavailable",
        "reason": "background worker stopped: projection worker",
    }


def test_ready_says_the_database_is_unreachable(platform: Platform):
    nowhere = f"postgresql://yanshen@127.0.0.1:{_free_port()}/yanshen"
    with Server(create_app(dataclasses.replace(platform, database_url=nowhere))) as server:
        r = httpx.get(f"{server.url}/ready", timeout=10)
    assert r.status_code == 503
    assert r.json() == {"status": "unavailable", "reason": "database unreachable"}


def test_a_partner_backfill_cursor_is_no_consumer_of_every_hall(
    gateway_url, database_url, hall, project
):
    project()
    cursor = "partner:p-probe:backfill:7"
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO consumer_positions (consumer, tenant_id, position) VALUES (%s, %s, 1)",
            (cursor, hall),
        )
    try:
        text = httpx.get(f"{gateway_url}/metrics").text
    finally:
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("DELETE FROM consumer_positions WHERE consumer = %s", (cursor,))
    assert ":backfill:" not in text


def test_a_request_without_a_free_connection_is_unavailable_within_seconds(
    serve, database_url, hall
):
    pool = open_pool(database_url, "app", min_size=1, max_size=1, timeout=0.5)
    try:
        server = serve(app_pool=pool)
        with pool.connection():  # the only connection is taken, as in an outage
            start = time.monotonic()
            r = httpx.post(
                f"{server.url}/graphql",
                json={"query": CATALOG, "variables": {"h": hall}},
                timeout=60,
            )
            elapsed = time.monotonic() - start
        assert codes(r) == ["UNAVAILABLE"], r.text
        assert "try again" in r.json()["errors"][0]["message"]
        assert elapsed < 10, f"the request hung for {elapsed:.1f} s"
    finally:
        pool.close()


def test_metrics_with_a_token_answer_its_bearer_only(platform: Platform):
    """The lag gauges name every hall: with YANSHEN_METRICS_TOKEN set, a scrape needs it."""
    secret = "metrics-scrape-token-" + "m7" * 12
    settings = dataclasses.replace(platform.settings, metrics_token=secret)
    with Server(create_app(dataclasses.replace(platform, settings=settings))) as server:
        anonymous = httpx.get(f"{server.url}/metrics")
        wrong = httpx.get(f"{server.url}/metrics", headers={"Authorization": "Bearer nope"})
        scraper = httpx.get(f"{server.url}/metrics", headers={"Authorization": f"Bearer {secret}"})
        # The scheme is case-insensitive (RFC 9110 §11.1), as for the GraphQL endpoint.
        lowercase = httpx.get(
            f"{server.url}/metrics", headers={"authorization": f"bearer {secret}"}
        )
        no_scheme = httpx.get(f"{server.url}/metrics", headers={"Authorization": secret})
    assert (anonymous.status_code, wrong.status_code, no_scheme.status_code) == (401, 401, 401)
    assert lowercase.status_code == 200
    assert "yanshen_" not in anonymous.text + wrong.text
    assert anonymous.headers["www-authenticate"].startswith("Bearer")
    assert scraper.status_code == 200
    assert "yanshen_projection_hall_lag_events" in scraper.text
