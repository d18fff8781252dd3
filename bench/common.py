"""What every benchmark shares: a fresh database, timing, and the result row format."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

import psycopg
from psycopg import sql

from deploy.embedded_pg import url_with_database

__all__ = ["fresh_database", "result", "timed"]


def fresh_database(name: str) -> str:
    """Drop and create database ``name`` on the server of ``DATABASE_URL``; return its URL."""
    admin_url = os.environ["DATABASE_URL"]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return url_with_database(admin_url, name)


def timed(fn: Callable[[], Any]) -> float:
    """Seconds ``fn`` took (wall clock)."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def result(
    name: str,
    value: float,
    unit: str,
    baseline: str,
    baseline_value: float,
    params: dict[str, Any],
) -> dict[str, Any]:
    """One result row; ``ratio`` is ``value / baseline_value``."""
    ratio = value / baseline_value if baseline_value else float("nan")
    return {
        "name": name,
        "value": round(value, 3),
        "unit": unit,
        "baseline": baseline,
        "baseline_value": round(baseline_value, 3),
        "ratio": round(ratio, 3),
        "params": params,
    }
