"""Requests wait a short while for a connection, and less again while none comes back."""

from __future__ import annotations

import time

import psycopg_pool
import pytest

from services.store import open_pool
from services.store.pool import DOWN_TIMEOUT, TIMEOUTS


def test_the_request_pool_waits_seconds_not_half_a_minute(database_url):
    pool = open_pool(database_url, "app", min_size=1, max_size=1)
    try:
        assert pool.timeout == TIMEOUTS["app"] <= 5
    finally:
        pool.close()


def _waited(pool: psycopg_pool.ConnectionPool) -> float:
    start = time.monotonic()
    with pytest.raises(psycopg_pool.PoolTimeout):
        pool.getconn()
    return time.monotonic() - start


def test_after_a_timeout_callers_fail_fast_until_a_connection_is_handed_out(database_url):
    pool = open_pool(database_url, "app", min_size=1, max_size=1, timeout=3.0)
    try:
        held = pool.getconn()
        assert _waited(pool) >= 2.9
        assert _waited(pool) < DOWN_TIMEOUT + 0.5
        pool.putconn(held)
        with pool.connection():
            pass  # one handed out: the full timeout again
        held = pool.getconn()
        assert _waited(pool) >= 2.9
        pool.putconn(held)
    finally:
        pool.close()
