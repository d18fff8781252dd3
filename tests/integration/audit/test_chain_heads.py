"""Published chain heads (event and metric) reveal a later rewrite of history."""

from __future__ import annotations

import uuid

import psycopg
from prometheus_client import REGISTRY

from services.audit.heads import (
    check_heads,
    heads_in_log,
    publish_heads,
    read_textfile,
    write_textfile,
)
from services.partners import PLATFORM_LOG, PartnerRegistry
from services.store import verify_tenant


def _rewrite(database_url, hall, position):
    """Change one event and recompute the chain after it, as someone with the database would."""
    with psycopg.connect(database_url, autocommit=True) as conn, conn.transaction():
        conn.execute(
            "UPDATE events SET state = replace(convert_from(state, 'UTF8'), '改由线上办理',"
            " '从未撤回')::bytea WHERE tenant_id = %s AND position = %s",
            (hall, position),
        )
        (prev,) = conn.execute(
            "SELECT hash FROM events WHERE tenant_id = %s AND position = %s", (hall, position - 1)
        ).fetchone()
        rows = conn.execute(
            "SELECT position FROM events WHERE tenant_id = %s AND position >= %s ORDER BY position",
            (hall, position),
        ).fetchall()
        for (p,) in rows:
            (prev,) = conn.execute(
                "UPDATE events SET prev_hash = %s, hash = sha256(%s || yanshen_chain_bytes("
                "chain_format, tenant_id, position, originator_id, originator_version, topic,"
                " state, recorded_at))"
                " WHERE tenant_id = %s AND position = %s RETURNING hash",
                (prev, prev, hall, p),
            ).fetchone()
        conn.execute("UPDATE tenant_heads SET last_hash = %s WHERE tenant_id = %s", (prev, hall))


def test_published_heads_are_events_and_metrics(platform, reader, seeded, tmp_path):
    (head,) = publish_heads(reader, platform.worker_pool, "ops-1", tenants=[seeded])
    assert (head.position, head.event_position) == (11, 12)
    labels = {"tenant": seeded}
    assert REGISTRY.get_sample_value("yanshen_chain_head_position", labels) == 11
    info = {"tenant": seeded, "position": "11", "hash": head.hash}
    assert REGISTRY.get_sample_value("yanshen_chain_head_info", info) == 1
    assert [h.hash for h in heads_in_log(platform.app_pool, seeded)] == [head.hash]

    write_textfile(tmp_path / "heads.prom")
    assert head in [
        type(head)(h.tenant_id, h.position, h.hash, head.event_position, head.published_at)
        for h in read_textfile(tmp_path / "heads.prom")
    ]


def test_every_hall_with_events_is_published(platform, reader, seeded):
    # The platform log (partners' register, holiday schedules) is published too: a rewrite
    # of a schedule would change the halls' deadlines.
    registry = platform.store.application(PartnerRegistry, PLATFORM_LOG)
    registry.hall_id = PLATFORM_LOG
    registry.register_partner(f"heads-{uuid.uuid4().hex[:8]}", "伙伴", "ops@p.example", "op-1")
    published = publish_heads(reader, platform.worker_pool, "ops-1")
    assert seeded in {h.tenant_id for h in published}
    assert PLATFORM_LOG in {h.tenant_id for h in published}


def test_a_rewrite_that_still_verifies_is_caught_by_an_earlier_published_head(
    platform, reader, seeded, database_url, tmp_path
):
    publish_heads(reader, platform.worker_pool, "ops-1", tenants=[seeded])
    write_textfile(tmp_path / "heads.prom")
    published = [h for h in read_textfile(tmp_path / "heads.prom") if h.tenant_id == seeded]
    assert all(c.ok for c in check_heads(platform.app_pool, published))

    _rewrite(database_url, seeded, 11)  # the withdrawal's reason, and every link after it
    assert verify_tenant(database_url, seeded).ok  # the chain itself is consistent again
    (check,) = check_heads(platform.app_pool, published)
    assert not check.ok
    assert "rewritten" in check.reason
    # The hall's own ChainHeadPublished (position 12) was re-hashed too, but still names
    # the old hash of position 11: the log contradicts itself.
    assert not check_heads(platform.app_pool, heads_in_log(platform.app_pool, seeded))[0].ok
