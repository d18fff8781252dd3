"""Audit benchmarks of issue 8 (ratios against baselines measured in the same run).

1. **Export** (``services.audit.export``) and **offline verification**
   (``services.audit.verifier``) of a hall of 100,000 events, in events/s, against hashing
   the same canonical bytes into the same sha256 chain with ``hashlib`` alone. The hall is
   appended with the store's own ``yanshen_append`` (1,000 events per call, hash-chained by
   the database) from a real catalog event's state.
2. **Point-in-time load** of an aggregate with 1,000 events (a service item revised 999
   times): ``state_as_of`` at position-derived version 950 (from the chained events only,
   never snapshots), against the library's own ``repository.get`` of the same version.
3. **Reading a hall's log through the recorder** (``select_notifications`` in batches of
   1,000, events without personal fields) with the personal-data hook against the same
   recorder with the hook replaced by a pass-through: what the hook costs where there is
   nothing to open.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import time
from pathlib import Path
from typing import Any
from unittest import mock
from uuid import uuid4

import psycopg
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bench.common import fresh_database, result
from deploy.bootstrap import Platform
from deploy.settings import Settings
from services.audit import Accessor, AuditLog, AuditReader, Point
from services.audit.export import export_bundle
from services.audit.signing import public_key_b64
from services.audit.timetravel import state_as_of
from services.audit.verifier import verify_bundle
from services.catalog import CatalogService
from services.catalog.application import ItemTerms
from services.halls import HallRegistry
from services.store import recorder as recorder_module
from services.store.chain import GENESIS_HASH, chain_bytes

__all__ = ["run"]

HALL = "bench-audit"
TOPIC = "services.catalog.domain:ServiceItem.Revised"
ACCESSOR = Accessor(actor="bench", role="operator", reason="benchmark")
_APPEND = "SELECT yanshen_append(%s, %s, %s, %s, %s)"


def _state(i: int) -> bytes:
    """A catalog revision's state, as the library stores it (about 400 bytes)."""
    return json.dumps(
        {
            "name": f"帮办代办（全程代办）{i}",
            "category": "ASSISTANCE",
            "legal_basis": "《政务延伸服务规范》帮办代办服务",
            "materials": ["申请人身份证件", "授权委托书", "办理事项所需材料"],
            "promised_working_days": 5,
            "fee_cents": 0,
            "rated": True,
            "revision": i,
            "actor": "admin-1",
            "timestamp": {"_type_": "datetime_iso", "_data_": "2026-05-06T10:00:00+08:00"},
        },
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()


def _fill(url: str, n: int) -> None:
    """Append ``n`` events to the bench hall, 1,000 per ``yanshen_append`` call."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET ROLE yanshen_app")
        for start in range(0, n, 1000):
            size = min(1000, n - start)
            ids = [str(uuid4()) for _ in range(size)]
            conn.execute(
                _APPEND,
                (HALL, ids, [1] * size, [TOPIC] * size, [_state(start + i) for i in range(size)]),
            )


def _hashlib_chain(url: str) -> tuple[float, int]:
    """Events/s of chaining the hall's canonical bytes with hashlib alone (bytes in memory)."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT chain_format, position, originator_id, originator_version, topic, state,"
            " recorded_at FROM events WHERE tenant_id = %s ORDER BY position",
            (HALL,),
        ).fetchall()
    canonical = [chain_bytes(f, HALL, p, o, v, t, bytes(s), at) for f, p, o, v, t, s, at in rows]
    best = 0.0
    for _ in range(3):
        start = time.perf_counter()
        prev = GENESIS_HASH
        for data in canonical:
            prev = hashlib.sha256(prev + data).digest()
        best = max(best, len(canonical) / (time.perf_counter() - start))
    return best, len(canonical)


def _export_and_verify(platform: Platform) -> list[dict[str, Any]]:
    key = Ed25519PrivateKey.generate()
    reader = AuditReader(platform.store)
    export_rate = verify_rate = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for attempt in range(2):  # best of two: the machine may be shared
            out = Path(tmp) / f"bundle-{attempt}"
            start = time.perf_counter()
            exported = export_bundle(reader, HALL, out, key, ACCESSOR)
            export_rate = max(export_rate, exported.count / (time.perf_counter() - start))
            start = time.perf_counter()
            report = verify_bundle(out, public_key_b64(key))
            verify_rate = max(verify_rate, report.events / (time.perf_counter() - start))
            assert report.ok, report
        size = sum(f.stat().st_size for f in out.iterdir())
    baseline, hashed = _hashlib_chain(platform.database_url)
    params = {"events": exported.count, "bundle_mb": round(size / 1e6, 1)}
    return [
        result(
            "audit export (events/s)",
            export_rate,
            "events/s",
            "hashlib sha256 chain, same bytes",
            baseline,
            params,
        ),
        result(
            "audit offline verify (events/s)",
            verify_rate,
            "events/s",
            "hashlib sha256 chain, same bytes",
            baseline,
            {**params, "hashed": hashed},
        ),
    ]


class _NoHook:
    """A pass-through codec: the recorder as it was before the personal-data hook."""

    def open_events(self, fetch: Any, tenant_id: str, events: Any) -> Any:
        return events


def _through_recorder(platform: Platform) -> float:
    recorder = platform.store.recorder(HALL)
    start, done = time.perf_counter(), 0
    while batch := recorder.select_notifications(done + 1, 1000):
        done = batch[-1].id
    return done / (time.perf_counter() - start)


def _log_read(platform: Platform) -> dict[str, Any]:
    hooked = bare = 0.0
    for _ in range(5):  # alternating, best of five
        hooked = max(hooked, _through_recorder(platform))
        with mock.patch.object(recorder_module, "personal_data", _NoHook):
            bare = max(bare, _through_recorder(platform))
    return result(
        "hall log read through the recorder (privacy hook)",
        hooked,
        "events/s",
        "same recorder without the hook",
        bare,
        {"events": platform.store.recorder(HALL).max_notification_id(), "batch": 1000},
    )


def _point_in_time(platform: Platform, versions: int) -> list[dict[str, Any]]:
    platform.hall_app(HallRegistry, "bench-asof").register_hall("as-of hall", "", "bench")
    catalog = platform.hall_app(CatalogService, "bench-asof")
    terms = ItemTerms(name="帮办代办", category="ASSISTANCE", promised_working_days=5)
    item = catalog.publish_service_item("ITEM-1", terms, "bench")
    for i in range(versions - 1):
        catalog.revise_service_item(
            "ITEM-1", ItemTerms(name=f"帮办代办 {i}", category="ASSISTANCE"), "bench"
        )
    audit = platform.hall_app(AuditLog, "bench-asof")
    version = versions * 95 // 100
    with psycopg.connect(platform.database_url) as conn:
        (position,) = conn.execute(
            "SELECT position FROM events WHERE tenant_id = 'bench-asof' AND originator_id = %s"
            " AND originator_version = %s",
            (str(item.id), version),
        ).fetchone()

    def rate(load: Any, loads: int) -> float:
        load()  # warm up
        start = time.perf_counter()
        for _ in range(loads):
            load()
        return loads / (time.perf_counter() - start)

    # Auditors' loads fold the chained events only (snapshots are not chained); the
    # baseline is the library's own load of the same version from the same events.
    point = Point(position=position)
    as_of = rate(lambda: state_as_of(audit, str(item.id), point, personal=False), 10)
    library = rate(lambda: catalog.repository.get(item.id, version=version), 10)
    params = {"aggregate_events": versions, "as_of_version": version}
    return [
        result(
            "as-of load from the chained events",
            as_of,
            "loads/s",
            "the library's repository.get of the same version (no snapshots)",
            library,
            params,
        )
    ]


def run(quick: bool) -> list[dict[str, Any]]:
    n = 20_000 if quick else 100_000
    versions = 300 if quick else 1000
    url = fresh_database("yanshen_bench_audit")
    platform = Platform.open(Settings(database_url=url), url)
    try:
        platform.hall_app(HallRegistry, HALL).register_hall("bench hall", "", "bench")
        _fill(url, n - 1)
        rows = _export_and_verify(platform)
        rows.append(_log_read(platform))
        rows += _point_in_time(platform, versions)
        return rows
    finally:
        platform.close()
