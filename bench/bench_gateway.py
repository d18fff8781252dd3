"""The gateway under load on loopback, against baselines measured in the same run.

- Queue-board query (取号叫号看板): requests/s and p50/p99 latency through GraphQL (token
  checked, schema extensions, limits) against a bare Litestar handler that returns the same
  JSON from the same read model; both in their own uvicorn process, one worker each, with the
  gateway's garbage-collector settings (``gateway.app.tune_gc``), driven by the same
  keep-alive HTTP/1.1 client in interleaved rounds. Closed loop at a fixed concurrency
  (throughput), then an open loop at 200 requests/s (latency measured from each request's
  scheduled time, so a stall counts against every request that waited). Target: GraphQL
  ≥ 0.5× the bare handler's throughput, p99 < 50 ms at 200 requests/s.
- Mutation throughput: ``issueTicket`` through GraphQL against ``QueueService.issue_ticket``
  called directly, with the same concurrency (one queue per worker).
- Subscription push latency: from a catalog revision's commit to ``catalogChanged`` reaching
  each of 1 and of 50 subscribers of the hall (one WebSocket each; a projection worker
  process running), p50/p99 over every delivery, and the position polls and read-model
  reads per commit the gateway counted. With ``BENCH_GATEWAY_BASELINE=<source tree>`` (e.g.
  a checkout of an earlier commit) a second gateway runs that tree's code and is measured in
  the same interleaved rounds as the baseline.

``python -m bench.bench_gateway --serve graphql|bare --port N`` is the server process.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx

from bench.common import fresh_database, result
from deploy.bootstrap import Platform
from deploy.settings import Settings
from gateway.auth import Role, issue_token

__all__ = ["run"]

HALL = "bench-hall"
QUEUES = ("QA", "QB", "QC", "QD")
WINDOWS = tuple(f"W{i:02d}" for i in range(1, 9))
STATS = (
    "issued transferredIn waiting atWindows served noShow removed transferredOut called "
    "averageWaitingSeconds maxWaitingSeconds averageServiceSeconds maxServiceSeconds "
    "servedWithinTarget servedWithinTargetShare oldestWaitingSince"
)
BOARD = f"""query Board($hall: String) {{ queueBoard(hallId: $hall) {{
  hallId serviceDay waitingTargetMinutes totals {{ {STATS} }}
  queues {{ code name prefix resetAt stats {{ {STATS} }} }}
  windows {{ code name windowType status suspensionReason queueCodes staffOnDuty
    called {{ queueCode number displayNumber status calledAt recalls }} }}
}} }}"""
DISPLAY = """query Display($hall: String) { queueBoard(hallId: $hall) {
  queues { code stats { waiting } } windows { code status called { displayNumber } } } }"""
"""What a hall's display screen needs: waiting per queue, the number each window called."""
ROUNDS = 3
"""Each server is measured in this many interleaved rounds (their requests pooled)."""
ISSUE = """mutation($q: String!) { issueTicket(input: {queueCode: $q, channel: KIOSK}) {
  number } }"""


# --- the two servers ---------------------------------------------------------------------------


def _stats_json(s: Any) -> dict[str, Any]:
    def seconds(v: Any) -> float | None:
        return None if v is None else float(v)

    return {
        "issued": s.issued,
        "transferredIn": s.transferred_in,
        "waiting": s.waiting,
        "atWindows": s.at_windows,
        "served": s.served,
        "noShow": s.no_show,
        "removed": s.removed,
        "transferredOut": s.transferred_out,
        "called": s.called,
        "averageWaitingSeconds": s.average_waiting_seconds,
        "maxWaitingSeconds": seconds(s.max_waiting_seconds),
        "averageServiceSeconds": s.average_service_seconds,
        "maxServiceSeconds": seconds(s.max_service_seconds),
        "servedWithinTarget": s.served_within_target,
        "servedWithinTargetShare": s.served_within_target_share,
        "oldestWaitingSince": _iso(s.oldest_waiting_since),
    }


def _iso(value: Any) -> str | None:
    return None if value is None else value.isoformat()


def board_json(board: Any) -> dict[str, Any]:
    """The board as the GraphQL query :data:`BOARD` answers it."""
    windows = []
    for w in board.windows:
        called = w.called
        windows.append(
            {
                "code": w.code,
                "name": w.name,
                "windowType": w.window_type,
                "status": w.status,
                "suspensionReason": w.suspension_reason,
                "queueCodes": list(w.queue_codes),
                "staffOnDuty": list(w.staff_on_duty),
                "called": None
                if called is None
                else {
                    "queueCode": called.queue_code,
                    "number": called.number,
                    "displayNumber": called.display_number,
                    "status": called.status,
                    "calledAt": _iso(called.called_at),
                    "recalls": called.recalls,
                },
            }
        )
    return {
        "data": {
            "queueBoard": {
                "hallId": board.hall_id,
                "serviceDay": _iso(board.service_day),
                "waitingTargetMinutes": board.waiting_target_minutes,
                "totals": _stats_json(board.totals),
                "queues": [
                    {
                        "code": q.code,
                        "name": q.name,
                        "prefix": q.prefix,
                        "resetAt": _iso(q.reset_at),
                        "stats": _stats_json(q.stats),
                    }
                    for q in board.queues
                ],
                "windows": windows,
            }
        }
    }


def display_json(board: Any) -> dict[str, Any]:
    """The board as the GraphQL query :data:`DISPLAY` answers it."""
    return {
        "data": {
            "queueBoard": {
                "queues": [
                    {"code": q.code, "stats": {"waiting": q.stats.waiting}} for q in board.queues
                ],
                "windows": [
                    {
                        "code": w.code,
                        "status": w.status,
                        "called": {"displayNumber": w.called.display_number} if w.called else None,
                    }
                    for w in board.windows
                ],
            }
        }
    }


def _bare_app(platform: Platform) -> Any:
    from litestar import Litestar, get

    from projections.queue_board import queue_board
    from services.queue import QueueService

    def now(hall: str) -> Any:  # the gateway's clock: the hall's queue application's
        return platform.hall_app(QueueService, hall).clock()

    @get("/board/{hall:str}", sync_to_thread=True)
    def board(hall: str) -> dict[str, Any]:
        found = queue_board(platform.app_pool, hall, None, now=now(hall))
        return board_json(found) if found else {"data": {"queueBoard": None}}

    @get("/display/{hall:str}", sync_to_thread=True)
    def display(hall: str) -> dict[str, Any]:
        found = queue_board(platform.app_pool, hall, None, now=now(hall))
        return display_json(found) if found else {"data": {"queueBoard": None}}

    @get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return Litestar([board, display, health], logging_config=None)


def _serve(kind: str, port: int) -> None:
    import uvicorn

    from gateway.app import create_app, tune_gc

    settings = Settings.from_env()
    platform = Platform.open(settings, settings.database_url, run_migrations=False)
    app = create_app(platform) if kind == "graphql" else _bare_app(platform)
    if kind == "bare":
        tune_gc()  # the gateway tunes its collector at startup: the same process settings
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


class Server:
    """A server process (``--serve``) on a free port; ``tree``: run that source tree's code."""

    def __init__(self, kind: str, url: str, tree: str | None = None) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        env = dict(
            os.environ,
            DATABASE_URL=url,
            YANSHEN_RATE_LIMIT_PER_MINUTE="0",
            YANSHEN_GRAPHIQL="0",
        )
        if tree is not None:
            env["PYTHONPATH"] = tree
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.bench_gateway",
                "--serve",
                kind,
                "--port",
                str(self.port),
            ],
            env=env,
            cwd=tree,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.stop()
                raise RuntimeError(f"the {kind} server did not start")
            time.sleep(0.1)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


# --- a small keep-alive HTTP/1.1 load generator --------------------------------------------------


def _raw_request(
    method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: keep-alive"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if body:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, raw: bytes
) -> bytes:
    writer.write(raw)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    body = await reader.readexactly(length)
    if status != 200:
        raise RuntimeError(f"HTTP {status}: {body[:200]!r}")
    return body


async def _closed_loop(port: int, raw: bytes, concurrency: int, seconds: float) -> list[float]:
    latencies: list[float] = []
    stop = time.perf_counter() + seconds

    async def worker() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while time.perf_counter() < stop:
                start = time.perf_counter()
                await _exchange(reader, writer, raw)
                latencies.append(time.perf_counter() - start)
        finally:
            writer.close()

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies


async def _open_loop(
    port: int, raw: bytes, rate: float, seconds: float, connections: int
) -> list[float]:
    """Requests scheduled at ``rate``/s; latency from the scheduled time (so a stall counts
    against every request that waited for it, not only the one that met it)."""
    total = int(rate * seconds)
    begin = time.perf_counter() + 0.05
    schedule = iter(begin + i / rate for i in range(total))
    latencies: list[float] = []

    async def worker() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for due in schedule:
                delay = due - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                await _exchange(reader, writer, raw)
                latencies.append(time.perf_counter() - due)
        finally:
            writer.close()

    await asyncio.gather(*(worker() for _ in range(connections)))
    return latencies


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


# --- the hall under test -------------------------------------------------------------------------


def _token(role: Role, subject: str = "bench") -> str:
    return issue_token(Settings(), subject=subject, role=role, tenant=HALL)


SETUP = {
    "hall": """mutation($h: String!) { registerHall(input: {hallId: $h, name: "基准大厅"}) {
        hallId } }""",
    "item": """mutation { publishServiceItem(input: {code: "ITEM-1", name: "综合受理",
        category: OTHER}) { code } }""",
    "place": """mutation { registerServicePlace(input: {code: "P1", name: "大厅",
        placeType: HALL}) { code } }""",
    "queue": """mutation($q: String!, $p: String!) { configureQueue(input: {code: $q, name: $q,
        prefix: $p, itemCodes: ["ITEM-1"]}) { code } }""",
    "window": """mutation($w: String!, $qs: [String!]!) { configureWindow(input: {code: $w,
        name: $w, windowType: COMPREHENSIVE, itemCodes: ["ITEM-1"], queueCodes: $qs}) { code } }""",
    "open": "mutation($w: String!) { openWindow(code: $w) { code } }",
    "staff": """mutation($b: String!) { onboardStaff(input: {badgeNumber: $b, name: $b,
        role: WINDOW_STAFF}) { badgeNumber } }""",
    "post": """mutation($b: String!, $w: String!) { assignStaffToWindow(badgeNumber: $b,
        windowCode: $w, post: A) { badgeNumber } }""",
    "sign_in": "mutation($w: String!) { signInStaff(windowCode: $w) { badgeNumber } }",
    "call": "mutation($w: String!) { callNextTicket(windowCode: $w) { queueCode number } }",
    "start": """mutation($q: String!, $n: Int!) { startTicketService(queueCode: $q, number: $n) {
        number } }""",
    "end": """mutation($q: String!, $n: Int!) { endTicketService(queueCode: $q, number: $n,
        outcome: COMPLETED) { number } }""",
}


def _setup_hall(port: int, tickets_per_queue: int, calls_per_window: int) -> None:
    """Catalog, a place, queues, windows with staff on duty, tickets issued and called."""
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:

        def gql(step: str, token: str, **variables: Any) -> dict[str, Any]:
            query = SETUP.get(step, step)
            r = client.post(
                "/graphql",
                json={"query": query, "variables": variables},
                headers={"Authorization": f"Bearer {token}"},
            )
            body: dict[str, Any] = r.json()
            if body.get("errors"):
                raise RuntimeError(f"{step}: {body['errors']}")
            return body["data"]

        operator = issue_token(Settings(), subject="op", role=Role.PLATFORM_OPERATOR, tenant=None)
        gql("hall", operator, h=HALL)
        admin = _token(Role.HALL_ADMIN)
        gql("item", admin)
        gql("place", admin)
        for q, prefix in zip(QUEUES, "ABCD", strict=True):
            gql("queue", admin, q=q, p=prefix)
        for w in WINDOWS:
            gql("window", admin, w=w, qs=list(QUEUES))
            gql("open", admin, w=w)
            gql("staff", admin, b=f"B{w}")
            gql("post", admin, b=f"B{w}", w=w)
            gql("sign_in", _token(Role.STAFF, f"B{w}"), w=w)
        kiosk = _token(Role.STAFF, "kiosk")
        for _ in range(tickets_per_queue):
            for q in QUEUES:
                gql(ISSUE, kiosk, q=q)
        for round_ in range(calls_per_window):  # served, except each window's last call
            for w in WINDOWS:
                staff = _token(Role.STAFF, f"B{w}")
                ticket = gql("call", staff, w=w)["callNextTicket"]
                if round_ < calls_per_window - 1:
                    gql("start", staff, q=ticket["queueCode"], n=ticket["number"])
                    gql("end", staff, q=ticket["queueCode"], n=ticket["number"])


def _issue_direct(platform: Platform, per_queue: int) -> float:
    from services.queue import QueueService

    app = platform.hall_app(QueueService, HALL)

    def issue(queue: str) -> None:
        for _ in range(per_queue):
            app.issue_ticket(queue, "KIOSK", "bench")

    start = time.perf_counter()
    with ThreadPoolExecutor(len(QUEUES)) as pool:
        list(pool.map(issue, QUEUES))
    return per_queue * len(QUEUES) / (time.perf_counter() - start)


async def _issue_graphql(port: int, per_queue: int) -> float:
    token = _token(Role.STAFF, "kiosk")

    async def worker(queue: str) -> None:
        body = json.dumps({"query": ISSUE, "variables": {"q": queue}}).encode()
        raw = _raw_request("POST", "/graphql", body, {"Authorization": f"Bearer {token}"})
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for _ in range(per_queue):
                answer = json.loads(await _exchange(reader, writer, raw))
                if answer.get("errors"):
                    raise RuntimeError(str(answer["errors"]))
        finally:
            writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(worker(q) for q in QUEUES))
    return per_queue * len(QUEUES) / (time.perf_counter() - start)


# --- subscriptions: push latency with 1 and 50 subscribers of one hall --------------------------

CATALOG = "subscription($h: String!) { catalogChanged(hallId: $h) { code name } }"
SUBSCRIBERS = (1, 50)


def _item_name(message: dict[str, Any]) -> str | None:
    data = (message.get("payload") or {}).get("data") or {}
    for item in data.get("catalogChanged") or []:
        if item["code"] == "ITEM-1":
            return str(item["name"])
    return None


async def _subscribe(port: int) -> Any:
    """One screen: a WebSocket subscribed to the hall's catalog, past its first value."""
    import websockets

    ws = await websockets.connect(
        f"ws://127.0.0.1:{port}/graphql", subprotocols=["graphql-transport-ws"], max_queue=None
    )
    await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
    ack = json.loads(await ws.recv())
    if ack["type"] != "connection_ack":
        raise RuntimeError(f"not acknowledged: {ack}")
    payload = {"query": CATALOG, "variables": {"h": HALL}}
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
    first = json.loads(await asyncio.wait_for(ws.recv(), 30))
    if first["type"] != "next" or _item_name(first) is None:
        raise RuntimeError(f"no catalog: {first}")
    return ws


async def _delivered(ws: Any, name: str) -> float:
    """When the value naming the item ``name`` arrived (``perf_counter``)."""
    while True:
        message = json.loads(await ws.recv())
        if message.get("type") != "next":
            raise RuntimeError(f"the subscription ended: {message}")
        if _item_name(message) == name:
            return time.perf_counter()


_COUNTED = {
    "position_polls": "yanshen_subscription_position_polls_total",
    "reads": "yanshen_subscription_reads_total",
}
"""What the gateway counts per commit for the catalog's subscribers: polls of the
projection's position and reads of the read model (shared ones count once)."""


def _catalog_counts(port: int) -> dict[str, float]:
    """The :data:`_COUNTED` counters of the catalog (those the code counts: code before a
    metric existed has none)."""
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
    counts = {}
    for line in text.splitlines():
        for name, metric in _COUNTED.items():
            if line.startswith(metric + '{projection="catalog"}'):
                counts[name] = float(line.rsplit(" ", 1)[1])
    return counts


async def _push_round(
    port: int, subscribers: int, samples: int, revise: Any, first: int
) -> tuple[list[float], dict[str, float]]:
    """Latencies of every delivery of ``samples`` revisions, and the counts per commit."""
    sockets = [await _subscribe(port) for _ in range(subscribers)]
    latencies: list[float] = []
    before = _catalog_counts(port)
    try:
        for i in range(first, first + samples):
            name = f"综合受理 v{i}"
            arrivals = [asyncio.create_task(_delivered(ws, name)) for ws in sockets]
            committed = await asyncio.to_thread(revise, name)
            stamps = await asyncio.wait_for(asyncio.gather(*arrivals), 30)
            latencies += [max(0.0, at - committed) for at in stamps]
            await asyncio.sleep(0.05)
    finally:
        for ws in sockets:
            await ws.close()
    after = _catalog_counts(port)
    return latencies, {k: (after[k] - before[k]) / samples for k in after if k in before}


def _push_latency(
    url: str, servers: dict[str, int], samples: int
) -> tuple[dict[str, list[float]], dict[str, dict[str, list[float]]]]:
    """Push latencies and counts per commit by ``<server>@<subscribers>``, in interleaved
    rounds, with a projection worker process following the hall."""
    from services.catalog import CatalogService
    from services.catalog.application import ItemTerms

    platform = Platform.open(Settings(database_url=url), url, run_migrations=False)
    catalog = platform.hall_app(CatalogService, HALL)

    def revise(name: str) -> float:
        catalog.revise_service_item("ITEM-1", ItemTerms(name=name, category="OTHER"), "bench")
        return time.perf_counter()

    worker = subprocess.Popen(
        [sys.executable, "-m", "deploy.cli", "project"],
        env=dict(os.environ, DATABASE_URL=url, YANSHEN_LOG_JSON="0"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    latencies: dict[str, list[float]] = {}
    counts: dict[str, dict[str, list[float]]] = {}
    try:
        port = next(iter(servers.values()))
        asyncio.run(_push_round(port, 1, 1, revise, 0))  # the worker follows the hall
        n = 1
        for _ in range(ROUNDS):
            for subscribers in SUBSCRIBERS:
                for name, port in servers.items():
                    key = f"{name}@{subscribers}"
                    got, per_commit = asyncio.run(
                        _push_round(port, subscribers, samples, revise, n)
                    )
                    n += samples
                    latencies.setdefault(key, []).extend(got)
                    for counted, value in per_commit.items():
                        counts.setdefault(key, {}).setdefault(counted, []).append(value)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        platform.close()
    return latencies, counts


def _push_rows(
    latencies: dict[str, list[float]],
    counts: dict[str, dict[str, list[float]]],
    samples: int,
) -> list[dict[str, Any]]:
    rows = []
    baseline = "baseline" if any(k.startswith("baseline@") for k in latencies) else None
    for subscribers in SUBSCRIBERS:
        new = latencies[f"graphql@{subscribers}"]
        old = latencies.get(f"baseline@{subscribers}", [])
        params: dict[str, Any] = {
            "subscribers": subscribers,
            "commits": samples * ROUNDS,
            "deliveries": len(new),
        }
        for server, prefix in (("graphql", ""), ("baseline", "baseline_")):
            for name in _COUNTED:
                per_round = counts.get(f"{server}@{subscribers}", {}).get(name)
                if per_round:  # not counted by that code: left out
                    params[f"{prefix}{name}_per_commit"] = round(sum(per_round) / ROUNDS, 2)
        against = (
            f"the gateway of {os.environ['BENCH_GATEWAY_BASELINE']}"
            if baseline
            else "none (set BENCH_GATEWAY_BASELINE)"
        )
        for q, label in ((0.5, "p50"), (0.99, "p99")):
            rows.append(
                result(
                    f"gateway.subscription_push_{subscribers}.{label}_ms",
                    _percentile(new, q),
                    "ms",
                    against,
                    _percentile(old, q) if old else 0.0,
                    params,
                )
            )
    return rows


# --- the benchmark -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    """One query measured through both servers."""

    name: str
    graphql: bytes
    bare: bytes


def _scenarios() -> list[Scenario]:
    staff = {"Authorization": f"Bearer {_token(Role.STAFF, 'display')}"}

    def post(query: str) -> bytes:
        body = json.dumps({"query": query, "variables": {"hall": HALL}}).encode()
        return _raw_request("POST", "/graphql", body, staff)

    return [
        Scenario("queue_board", post(BOARD), _raw_request("GET", f"/board/{HALL}")),
        Scenario("queue_board_display", post(DISPLAY), _raw_request("GET", f"/display/{HALL}")),
    ]


async def _same_answers(scenario: Scenario, graphql_port: int, bare_port: int) -> int:
    """Both servers answer the same JSON; returns its size in bytes."""
    out = []
    for port, raw in ((graphql_port, scenario.graphql), (bare_port, scenario.bare)):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        out.append(await _exchange(reader, writer, raw))
        writer.close()
    if json.loads(out[0]) != json.loads(out[1]):
        raise RuntimeError(
            f"{scenario.name}: the servers answer differently:\n{out[0]!r}\n{out[1]!r}"
        )
    return len(out[0])


def run(quick: bool) -> list[dict[str, Any]]:
    seconds = 2.0 if quick else 15.0
    concurrency = 16
    tickets, calls, per_queue = (20, 3, 50) if quick else (60, 5, 400)
    board = {"queues": len(QUEUES), "windows": len(WINDOWS), "tickets": tickets * len(QUEUES)}
    board["called"] = calls * len(WINDOWS)
    url = fresh_database("yanshen_bench_gateway")
    platform = Platform.open(Settings(database_url=url), url)
    rows: list[dict[str, Any]] = []
    graphql = bare = baseline = None
    tree = os.environ.get("BENCH_GATEWAY_BASELINE")
    try:
        graphql = Server("graphql", url)
        bare = Server("bare", url)
        if tree:
            baseline = Server("graphql", url, tree=tree)
        _setup_hall(graphql.port, tickets, calls)
        platform.projection_worker().run_once()
        for scenario in _scenarios():
            size = asyncio.run(_same_answers(scenario, graphql.port, bare.port))
            m: dict[str, list[float]] = {}
            servers = (
                ("graphql", graphql.port, scenario.graphql),
                ("bare", bare.port, scenario.bare),
            )
            for _, port, raw in servers:
                asyncio.run(_closed_loop(port, raw, concurrency, 0.5))  # warm up
            # Interleaved rounds, so that a slow spell of the shared machine falls on both.
            for _ in range(ROUNDS):
                for name, port, raw in servers:
                    m.setdefault(name, []).extend(
                        asyncio.run(_closed_loop(port, raw, concurrency, seconds / ROUNDS))
                    )
                    m.setdefault(f"{name}@200", []).extend(
                        asyncio.run(_open_loop(port, raw, 200, seconds / ROUNDS, 16))
                    )
            params = {**board, "response_bytes": size, "seconds": seconds, "rounds": ROUNDS}
            rows += _query_rows(scenario.name, m, seconds, concurrency, params)
        g_issue = asyncio.run(_issue_graphql(graphql.port, per_queue))
        d_issue = _issue_direct(platform, per_queue)
        push_servers = {"graphql": graphql.port}
        if baseline is not None:
            push_servers["baseline"] = baseline.port
        push_samples = 5 if quick else 30
        latencies, counts = _push_latency(url, push_servers, push_samples)
    finally:
        for server in (graphql, bare, baseline):
            if server is not None:
                server.stop()
        platform.close()
    rows.append(
        result(
            "gateway.issue_ticket.throughput",
            g_issue,
            "tickets/s",
            "QueueService.issue_ticket called directly",
            d_issue,
            {"concurrency": len(QUEUES), "tickets": per_queue * len(QUEUES), "queue per worker": 1},
        )
    )
    rows += _push_rows(latencies, counts, push_samples)
    return rows


def _query_rows(
    name: str, m: dict[str, list[float]], seconds: float, concurrency: int, params: dict[str, Any]
) -> list[dict[str, Any]]:
    bare = "bare Litestar handler, same JSON from the same read model"
    closed = {**params, "loop": "closed", "concurrency": concurrency}
    opened = {**params, "loop": "open", "rate": 200, "target_p99_ms": 50}

    def p(key: str, q: float) -> float:
        return _percentile(m[key], q)

    def rate(key: str) -> float:
        return len(m[key]) / seconds

    return [
        result(f"gateway.{name}.throughput", rate("graphql"), "req/s", bare, rate("bare"), closed),
        result(f"gateway.{name}.p50_ms", p("graphql", 0.5), "ms", bare, p("bare", 0.5), closed),
        result(f"gateway.{name}.p99_ms", p("graphql", 0.99), "ms", bare, p("bare", 0.99), closed),
        result(
            f"gateway.{name}.p99_ms_at_200rps",
            p("graphql@200", 0.99),
            "ms",
            bare,
            p("bare@200", 0.99),
            opened,
        ),
    ]


def _main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_gateway")
    parser.add_argument("--serve", choices=["graphql", "bare"], required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    _serve(args.serve, args.port)


if __name__ == "__main__":
    _main()
