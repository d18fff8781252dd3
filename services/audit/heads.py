"""Publishing each hall's chain head, and checking the chain against published heads.

The hash chain shows that nothing changed *relative to the head*; someone able to rewrite
the whole log could recompute every hash. Publishing the head now and then — as a
``ChainHeadPublished`` event in the hall's log and as Prometheus metrics scraped into a
system the operator does not control — pins it: a later rewrite of any event at or before a
published position no longer reproduces the published hash (:func:`check_heads`).

Metrics (in every process that publishes; ``yanshen audit publish-heads --textfile`` also
writes them for node_exporter's textfile collector):

- ``yanshen_chain_head_position{tenant}``: the published head position;
- ``yanshen_chain_head_info{tenant,position,hash}``: 1, with the head hash as a label;
- ``yanshen_chain_head_published_timestamp_seconds{tenant}``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic
from prometheus_client import REGISTRY, CollectorRegistry, write_to_textfile
from prometheus_client.core import GaugeMetricFamily, InfoMetricFamily, Metric
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.registry import Collector

from services.audit.application import require_known_hall
from services.audit.domain import ChainHead
from services.audit.reader import AuditReader
from services.store.decoding import decode
from services.store.pool import Pool
from services.store.session import TenantSession
from services.store.tenant import UnknownTenantError
from services.store.verify import verify_chain

__all__ = [
    "HeadCheck",
    "PublishedHead",
    "check_heads",
    "heads_in_log",
    "publish_heads",
    "read_textfile",
    "write_textfile",
]

_LOGS = (  # the halls' and the platform's (holiday schedules decide the halls' deadlines)
    "SELECT tenant_id FROM tenant_heads WHERE position > 0 ORDER BY tenant_id"
)
_HEAD = "SELECT position, last_hash FROM tenant_heads WHERE tenant_id = %s"
_HASH_AT = "SELECT hash FROM events WHERE tenant_id = %s AND position = %s"
_PUBLISHED = (
    "SELECT position, originator_id, originator_version, topic, state FROM events"
    " WHERE tenant_id = %s AND topic = %s ORDER BY position"
)


@dataclass(frozen=True)
class PublishedHead:
    """A hall's chain head as published: the hash of the event at ``position``."""

    tenant_id: str
    position: int
    hash: str
    event_position: int = 0
    """Where the ``ChainHeadPublished`` event went in the hall's log (0: not known)."""
    published_at: float = 0.0


@dataclass(frozen=True)
class HeadCheck:
    """Whether a hall's current chain still reproduces a published head."""

    head: PublishedHead
    ok: bool
    reason: str = ""

    def __str__(self) -> str:
        h = self.head
        state = "OK" if self.ok else f"MISMATCH: {self.reason}"
        return f"{state}: hall {h.tenant_id} position {h.position} hash {h.hash[:16]}…"


_published: dict[str, PublishedHead] = {}
_lock = threading.Lock()


class _HeadsCollector(Collector):
    """Serves the heads published by this process (or the given ones)."""

    def __init__(self, heads: list[PublishedHead] | None = None) -> None:
        self.heads = heads

    def collect(self) -> Iterator[Metric]:
        with _lock:
            heads = sorted(
                self.heads if self.heads is not None else _published.values(),
                key=lambda h: h.tenant_id,
            )
        position = GaugeMetricFamily(
            "yanshen_chain_head_position", "Published chain head position", labels=["tenant"]
        )
        info = InfoMetricFamily("yanshen_chain_head", "Published chain head", labels=["tenant"])
        stamp = GaugeMetricFamily(
            "yanshen_chain_head_published_timestamp_seconds",
            "When the chain head was published",
            labels=["tenant"],
        )
        for head in heads:
            position.add_metric([head.tenant_id], head.position)
            info.add_metric([head.tenant_id], {"position": str(head.position), "hash": head.hash})
            stamp.add_metric([head.tenant_id], head.published_at)
        yield position
        yield info
        yield stamp


REGISTRY.register(_HeadsCollector())


def publish_heads(
    reader: AuditReader, worker_pool: Pool, actor: str, tenants: list[str] | None = None
) -> list[PublishedHead]:
    """Record each hall's current head as ``ChainHeadPublished`` and expose it as metrics.

    ``tenants``: the halls or the platform log (default: every log with events, the
    platform's included, read with ``worker_pool``); an unknown one among them is refused
    before anything is published (:class:`UnknownHallError`).
    """
    if tenants is None:
        with worker_pool.connection() as conn:
            tenants = [str(r[0]) for r in conn.execute(_LOGS).fetchall()]
    else:
        for tenant_id in tenants:
            require_known_hall(reader.store.pool, tenant_id)
    published = []
    for tenant_id in tenants:
        rows = TenantSession(reader.store.pool, tenant_id).fetch(_HEAD, (tenant_id,))
        if not rows or int(rows[0][0]) == 0:
            continue
        position, digest = int(rows[0][0]), bytes(rows[0][1]).hex()
        at = reader.log(tenant_id).publish_head(position, digest, actor)
        head = PublishedHead(tenant_id, position, digest, at, time.time())
        with _lock:
            _published[tenant_id] = head
        published.append(head)
    return published


def write_textfile(path: Path, heads: list[PublishedHead] | None = None) -> None:
    """Write ``heads`` (default: all this process published) in Prometheus text format."""
    registry = CollectorRegistry()
    registry.register(_HeadsCollector(heads))
    write_to_textfile(str(path), registry)


def read_textfile(path: Path) -> list[PublishedHead]:
    """The heads in a file written by :func:`write_textfile` (or scraped from ``/metrics``)."""
    heads = []
    for family in text_string_to_metric_families(path.read_text()):
        if family.name not in ("yanshen_chain_head", "yanshen_chain_head_info"):
            continue
        for sample in family.samples:
            labels = sample.labels
            heads.append(PublishedHead(labels["tenant"], int(labels["position"]), labels["hash"]))
    return heads


def heads_in_log(pool: Pool, tenant_id: str) -> list[PublishedHead]:
    """The heads published in the hall's own log (weaker: a full rewrite can redo them)."""
    require_known_hall(pool, tenant_id)
    rows = TenantSession(pool, tenant_id).fetch(
        _PUBLISHED, (tenant_id, get_topic(ChainHead.Published))
    )
    heads = []
    for position, originator_id, version, topic, state in rows:
        event = decode(StoredEvent(originator_id, version, topic, bytes(state)))
        assert isinstance(event, ChainHead.Published)
        heads.append(PublishedHead(tenant_id, event.head_position, event.head_hash, int(position)))
    return heads


def _chain_problem(pool: Pool, tenant_id: str) -> str:
    """Why the hall's chain cannot confirm published heads; ``""`` when it is intact."""
    try:
        result = verify_chain(pool, tenant_id)
    except UnknownTenantError as error:
        return str(error)
    return "" if result.ok else str(result)


def check_heads(pool: Pool, heads: list[PublishedHead]) -> list[HeadCheck]:
    """Check each published head against the hall's current, verified chain.

    A head of a hall that has no log (any more) fails its check: history was removed, or the
    heads are another database's.
    """
    checks = []
    verified: dict[str, str] = {}
    for head in heads:
        if head.tenant_id not in verified:
            verified[head.tenant_id] = _chain_problem(pool, head.tenant_id)
        if verified[head.tenant_id]:
            checks.append(HeadCheck(head, False, verified[head.tenant_id]))
            continue
        rows = TenantSession(pool, head.tenant_id).fetch(_HASH_AT, (head.tenant_id, head.position))
        if not rows:
            checks.append(HeadCheck(head, False, "the chain no longer reaches this position"))
        elif bytes(rows[0][0]).hex() != head.hash:
            checks.append(HeadCheck(head, False, "history up to this position was rewritten"))
        else:
            checks.append(HeadCheck(head, True))
    return checks
