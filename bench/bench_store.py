"""Event store benchmarks of issue 3 (ratios against baselines measured in the same run).

1. **Append throughput** with 1, 8 and 32 halls writing concurrently (one thread, application
   and stream of new aggregates per hall, one ~200-byte event per commit) for the tenant-scoped
   store and for the library's stock PostgreSQL recorder (``eventsourcing.postgres``, its own
   database on the same server), in interleaved rounds, also as a fraction of raw single-row
   INSERTs.
   The same comparison with the halls' writers spread over two processes (as the several
   gateway processes of a platform would write), so that one client process's GIL is not
   what limits the tenant store.
2. **Replay** (``select_notifications`` over all positions) of one hall of 10,000 events while
   1,000,000 events of 100 other halls are in the table, interleaved with the hall's events
   as concurrent halls would write them, against a hall of the same size alone in its table.
   The filler is bulk-loaded with ``INSERT … SELECT generate_series`` (not hash-chained).
"""

from __future__ import annotations

import multiprocessing
import os
import statistics
import threading
import time
from collections.abc import Callable
from typing import Any
from uuid import UUID, uuid4

import psycopg
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import StoredEvent

from bench.common import fresh_database, result
from services.store import EventStore, migrate, open_pool

__all__ = ["run"]

NOTE = "x" * 160  # event payload, the same for every variant
ROUNDS = 3
"""Tenant store and stock recorder are measured in this many interleaved rounds (mean rate)."""


class Ticket(Aggregate):
    """A queue ticket (取号): one event per command."""

    @event("Issued")
    def __init__(self, number: str, note: str) -> None:
        self.number = number
        self.note = note


class BenchTickets(Application[UUID]):
    def issue(self, number: str) -> None:
        self.save(Ticket(number, NOTE))


def _run_threads(n: int, work: Callable[[int, threading.Event], int], seconds: float) -> float:
    """Run ``work(i, stop)`` in ``n`` threads for ``seconds``; return total events per second."""
    stop = threading.Event()
    counts = [0] * n
    errors: list[BaseException] = []
    barrier = threading.Barrier(n + 1)

    def target(i: int) -> None:
        try:
            barrier.wait()
            counts[i] = work(i, stop)
        except BaseException as e:  # pragma: no cover - reported
            errors.append(e)
            stop.set()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    return sum(counts) / elapsed


def _saving(apps: list[BenchTickets]) -> Callable[[int, threading.Event], int]:
    def work(i: int, stop: threading.Event) -> int:
        app, n = apps[i], 0
        while not stop.is_set():
            app.issue(f"A{n:05d}")
            n += 1
        return n

    return work


def _stock_env(url: str) -> dict[str, str]:
    info = psycopg.conninfo.conninfo_to_dict(url)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": str(info.get("dbname", "")),
        "POSTGRES_HOST": str(info.get("host") or "127.0.0.1"),
        "POSTGRES_PORT": str(info.get("port") or "5432"),
        "POSTGRES_USER": str(info.get("user") or "postgres"),
        "POSTGRES_PASSWORD": str(info.get("password") or ""),
        "POSTGRES_POOL_SIZE": "1",
        "POSTGRES_MAX_OVERFLOW": "0",
    }


def _raw_rate(url: str, halls: int, seconds: float) -> float:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS raw_events (id bigserial PRIMARY KEY, "
            "originator_id uuid NOT NULL, originator_version bigint NOT NULL, "
            "topic text NOT NULL, state bytea NOT NULL)"
        )
    state = b'{"number":"A00000","note":"' + NOTE.encode() + b'","timestamp":"2025"}'
    conns = [psycopg.connect(url, autocommit=True) for _ in range(halls)]

    def work(i: int, stop: threading.Event) -> int:
        n = 0
        while not stop.is_set():
            conns[i].execute(
                "INSERT INTO raw_events (originator_id, originator_version, topic, state) "
                "VALUES (%s, 1, 'bench:Ticket.Issued', %s)",
                (uuid4(), state),
                prepare=True,
            )
            n += 1
        return n

    try:
        return _run_threads(halls, work, seconds)
    finally:
        for c in conns:
            c.close()


def _append_rows(quick: bool) -> list[dict[str, Any]]:
    seconds = 1.5 if quick else 6.0
    tenant_url = fresh_database("yanshen_bench_store")
    migrate(tenant_url)
    stock_url = fresh_database("yanshen_bench_stock")
    env_before = {k: os.environ.pop(k) for k in ("PERSISTENCE_MODULE",) if k in os.environ}
    rows: list[dict[str, Any]] = []
    pool = open_pool(tenant_url, "app", min_size=4, max_size=40)
    try:
        store = EventStore(pool)
        stock_env = _stock_env(stock_url)
        for halls in (1, 8, 32):
            tenant_apps = [
                store.application(BenchTickets, f"bench-{halls}-{h}") for h in range(halls)
            ]
            stock_apps = [BenchTickets(env=stock_env) for _ in range(halls)]
            _run_threads(halls, _saving(tenant_apps), 0.3)  # warm up both
            _run_threads(halls, _saving(stock_apps), 0.3)
            tenant = stock = 0.0
            for _ in range(ROUNDS):  # interleaved: a slow spell of the machine falls on both
                tenant += _run_threads(halls, _saving(tenant_apps), seconds / ROUNDS) / ROUNDS
                stock += _run_threads(halls, _saving(stock_apps), seconds / ROUNDS) / ROUNDS
            for app in stock_apps:
                app.close()  # free its connections before the raw baseline
            raw = _raw_rate(stock_url, halls, seconds)
            params = {"halls": halls, "seconds": seconds, "events_per_commit": 1, "rounds": ROUNDS}
            rows.append(
                result(
                    "store.append.tenant_vs_stock",
                    tenant,
                    "events/s",
                    "eventsourcing.postgres recorder",
                    stock,
                    params,
                )
            )
            rows.append(
                result(
                    "store.append.tenant_vs_raw_insert",
                    tenant,
                    "events/s",
                    "raw single-row INSERT",
                    raw,
                    params,
                )
            )
    finally:
        pool.close()
        os.environ.update(env_before)
    return rows


def _writer_process(
    kind: str, url: str, halls: list[str], seconds: float, start_at: float, results: Any
) -> None:
    """One writer process: its halls' applications, one thread each, from ``start_at`` on."""
    if kind == "tenant":
        pool = open_pool(url, "app", min_size=len(halls), max_size=len(halls) + 2)
        store = EventStore(pool)
        apps = [store.application(BenchTickets, hall) for hall in halls]
    else:
        env = {**_stock_env(url), "CREATE_TABLE": "false"}  # made once by the parent
        apps = [BenchTickets(env=env) for _ in halls]
    _run_threads(len(apps), _saving(apps), 0.3)  # warm up
    time.sleep(max(0.0, start_at - time.time()))
    results.put(_run_threads(len(apps), _saving(apps), seconds))


def _process_rate(kind: str, url: str, halls: int, processes: int, seconds: float) -> float:
    """Events/s of ``halls`` halls written from ``processes`` processes (as several gateway
    processes of a platform would), so the client's GIL is not the bottleneck."""
    ctx = multiprocessing.get_context("spawn")
    results = ctx.Queue()
    start_at = time.time() + 10  # every process connected and warmed up by then
    names = [f"proc-{kind}-{halls}-{h}" for h in range(halls)]
    procs = [
        ctx.Process(
            target=_writer_process,
            args=(kind, url, names[i::processes], seconds, start_at, results),
        )
        for i in range(processes)
    ]
    for proc in procs:
        proc.start()
    rates = [results.get(timeout=120) for _ in procs]
    for proc in procs:
        proc.join()
    return float(sum(rates))


def _process_rows(quick: bool) -> list[dict[str, Any]]:
    seconds = 1.5 if quick else 6.0
    tenant_url = fresh_database("yanshen_bench_store_procs")
    migrate(tenant_url)
    stock_url = fresh_database("yanshen_bench_stock_procs")
    BenchTickets(env=_stock_env(stock_url)).close()  # the stock tables, made once
    rows = []
    for halls in (8, 32):
        tenant = _process_rate("tenant", tenant_url, halls, 2, seconds)
        stock = _process_rate("stock", stock_url, halls, 2, seconds)
        params = {"halls": halls, "processes": 2, "seconds": seconds, "events_per_commit": 1}
        rows.append(
            result(
                "store.append.tenant_vs_stock.2_processes",
                tenant,
                "events/s",
                "eventsourcing.postgres recorder",
                stock,
                params,
            )
        )
    return rows


def _replay_seconds(store: EventStore, hall: str, expected: int) -> float:
    recorder = store.recorder(hall)
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        start, seen = 1, 0
        while True:
            page = recorder.select_notifications(start=start, limit=1000)
            seen += len(page)
            if len(page) < 1000:
                break
            start = page[-1].id + 1
        timings.append(time.perf_counter() - started)
        assert seen == expected, (seen, expected)
    return statistics.median(timings)


_FILLER = """
INSERT INTO events (tenant_id, position, originator_id, originator_version, topic, state,
                    prev_hash, hash)
SELECT 'filler-' || (g %% %(halls)s), %(round)s * %(per_hall)s + g / %(halls)s + 1,
       md5(%(round)s::text || '-' || g::text), 1, 'bench:Ticket.Issued',
       convert_to(repeat('x', 200), 'UTF8'), '\\x00'::bytea, sha256(g::text::bytea)
FROM generate_series(0, %(rows)s - 1) AS g
"""


def _append_batch(store: EventStore, hall: str, n: int) -> None:
    recorder = store.recorder(hall)
    state = b'{"number":"A00000","note":"' + NOTE.encode() + b'"}'
    for start in range(0, n, 100):
        recorder.insert_events(
            [
                StoredEvent(uuid4(), 1, "bench:Ticket.Issued", state)
                for _ in range(min(100, n - start))
            ]
        )


def _replay_rows(quick: bool) -> list[dict[str, Any]]:
    hall_events = 2_000 if quick else 10_000
    filler = 100_000 if quick else 1_000_000
    other_halls, rounds = 100, 100
    url = fresh_database("yanshen_bench_replay")
    migrate(url)
    pool = open_pool(url, "app", max_size=4)
    try:
        store = EventStore(pool)
        _append_batch(store, "solo", hall_events)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE events")
        alone = _replay_seconds(store, "solo", hall_events)
        started = time.perf_counter()
        with psycopg.connect(url, autocommit=True) as conn:
            for r in range(rounds):  # interleave the hall with the other halls' writes
                _append_batch(store, "mixed", hall_events // rounds)
                conn.execute(
                    _FILLER,
                    {
                        "halls": other_halls,
                        "round": r,
                        "rows": filler // rounds,
                        "per_hall": filler // rounds // other_halls,
                    },
                )
            conn.execute("VACUUM ANALYZE events")
        load_seconds = time.perf_counter() - started
        shared = _replay_seconds(store, "mixed", hall_events)
    finally:
        pool.close()
    params = {
        "hall_events": hall_events,
        "other_events": filler,
        "other_halls": other_halls,
        "page": 1000,
        "bulk_load_seconds": round(load_seconds, 1),
        "target_ratio_max": 1.2,
    }
    return [
        result(
            "store.replay.one_hall_among_others",
            shared * 1000,
            "ms",
            "same hall alone in the table",
            alone * 1000,
            params,
        )
    ]


def run(quick: bool) -> list[dict[str, Any]]:
    """Both benchmarks; ``quick`` uses small sizes (well under a minute)."""
    return _append_rows(quick) + _process_rows(quick) + _replay_rows(quick)


if __name__ == "__main__":
    import sys

    for row in run(quick="--quick" in sys.argv):
        print(row)
