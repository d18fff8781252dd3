"""A replay sends nothing the grant does not allow now: refused after a revocation, only the
types granted now, personal data only if granted now; the CLI says why it stopped."""

from __future__ import annotations

import json
import uuid

import pytest
from typer.testing import CliRunner

from deploy.cli import app
from services.partners import GrantNotActiveError
from services.relay import MemorySink, PartnerConsumer, partner_topic, replay
from services.relay.partners import hall_head
from services.shared.errors import ValidationError
from tests.integration.relay.support import grant, onboard, publish_items, revoke

STAFF = "staff.StaffOnboarded"
ITEMS = "catalog.ServiceItemPublished"

runner = CliRunner()


def _deliver(worker_pool, sink: MemorySink, partner: str) -> None:
    """The live delivery to ``partner`` only: a fanout would also deliver what other tests
    on this database left pending for their partners (a sink's first messages theirs)."""
    consumer = PartnerConsumer(
        worker_pool, sink, partner, worker_id=uuid.uuid4().hex, lease_ttl=5.0
    )
    try:
        consumer.catch_up()
    finally:
        consumer.close()


def test_a_revoked_partner_is_refused_a_replay(platform, worker_pool, hall, partner):
    grant(platform, hall, partner, [STAFF], personal=True)
    onboard(platform, hall, "S1", "张三")
    grant(platform, hall, partner, [STAFF], personal=False)  # downgraded
    revoke(platform, hall, partner)  # contract ended
    _deliver(worker_pool, MemorySink(), partner)
    sink = MemorySink()
    with pytest.raises(GrantNotActiveError) as refused:
        replay(worker_pool, sink, partner, hall)
    assert refused.value.code == "CONFLICT"
    assert sink.messages == []


def test_a_partner_never_granted_is_refused_a_replay(worker_pool, hall, partner):
    with pytest.raises(GrantNotActiveError):
        replay(worker_pool, MemorySink(), partner, hall)


def test_a_replay_redacts_what_the_grant_no_longer_includes(platform, worker_pool, hall, partner):
    grant(platform, hall, partner, [STAFF, ITEMS], personal=True)
    onboard(platform, hall, "S1", "张三")
    publish_items(platform, hall, ["X1"])
    live = MemorySink()
    _deliver(worker_pool, live, partner)
    assert [json.loads(m.body).get("badge_number") for m in live.messages] == ["S1", None]
    assert json.loads(live.messages[0].body)["name"] == "张三"

    grant(platform, hall, partner, [STAFF], personal=False)  # no items, no personal data
    sink = MemorySink()
    result = replay(worker_pool, sink, partner, hall)
    assert result.sent == 1
    (staff,) = sink.on(partner_topic(partner))
    assert json.loads(staff.body)["name"] is None
    assert staff.header("ce_redacted") == "name"
    assert staff.header("ce_id") == live.messages[0].header("ce_id")


def test_a_replay_still_granted_personal_data_sends_it(platform, worker_pool, hall, partner):
    grant(platform, hall, partner, [STAFF], personal=True)
    onboard(platform, hall, "S1", "张三")
    live = MemorySink()
    _deliver(worker_pool, live, partner)
    sink = MemorySink()
    assert replay(worker_pool, sink, partner, hall).sent == 1
    assert [(m.body, m.headers) for m in sink.messages] == [
        (m.body, m.headers) for m in live.messages
    ]


@pytest.fixture
def cli_env(monkeypatch, database_url):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("YANSHEN_KAFKA_CONNECT_TIMEOUT_MS", "500")
    monkeypatch.setenv("YANSHEN_KAFKA_SEND_TIMEOUT_MS", "500")


def test_the_cli_refuses_a_replay_to_a_revoked_partner(
    cli_env, platform, worker_pool, hall, partner
):
    grant(platform, hall, partner, [ITEMS])
    publish_items(platform, hall, ["X1"])
    _deliver(worker_pool, MemorySink(), partner)
    revoke(platform, hall, partner)
    result = runner.invoke(app, ["partners", "replay", partner, "--tenant", hall])
    assert result.exit_code == 1, result.output
    assert "GrantNotActiveError" in result.output
    assert "Traceback" not in result.output


def test_the_cli_says_when_kafka_is_unavailable(cli_env, platform, worker_pool, hall, partner):
    grant(platform, hall, partner, [ITEMS])
    publish_items(platform, hall, ["X1"])
    _deliver(worker_pool, MemorySink(), partner)
    result = runner.invoke(app, ["partners", "replay", partner, "--tenant", hall])
    assert result.exit_code == 2, result.output
    assert "Kafka unavailable" in result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)  # typer's exit, not an uncaught error


def _head(worker_pool, hall: str) -> int:
    with worker_pool.connection() as conn:
        return hall_head(conn, hall)


def test_a_replay_from_beyond_the_halls_head_is_refused(platform, worker_pool, hall, partner):
    grant(platform, hall, partner, [ITEMS])
    publish_items(platform, hall, ["X1"])
    _deliver(worker_pool, MemorySink(), partner)
    head = _head(worker_pool, hall)
    sink = MemorySink()
    with pytest.raises(ValidationError) as refused:
        replay(worker_pool, sink, partner, hall, head + 1)
    assert refused.value.code == "VALIDATION"
    assert f"head of hall {hall!r} is position {head}" in str(refused.value)
    assert sink.messages == []
    assert replay(worker_pool, sink, partner, hall, head).sent == 1  # the head itself: fine


def test_the_cli_refuses_a_replay_from_beyond_the_head(
    cli_env, platform, worker_pool, hall, partner
):
    grant(platform, hall, partner, [ITEMS])
    publish_items(platform, hall, ["X1"])
    _deliver(worker_pool, MemorySink(), partner)
    result = runner.invoke(
        app, ["partners", "replay", partner, "--tenant", hall, "--from", "99999"]
    )
    assert result.exit_code == 1, result.output
    assert "ValidationError" in result.output
    assert "99999" in result.output
    assert "re-sent" not in result.output
    assert "Traceback" not in result.output


def test_the_cli_says_when_the_partner_was_not_sent_that_far_yet(
    cli_env, platform, worker_pool, hall, partner
):
    """Positions the relay has not delivered yet are not the replay's: it sends nothing (and
    does not connect to Kafka for it) and says where the partner's delivery stands."""
    grant(platform, hall, partner, [ITEMS])
    publish_items(platform, hall, ["X1"])
    _deliver(worker_pool, MemorySink(), partner)
    upto = _head(worker_pool, hall)
    publish_items(platform, hall, ["X2"])  # not delivered yet
    result = runner.invoke(
        app, ["partners", "replay", partner, "--tenant", hall, "--from", str(upto + 1)]
    )
    assert result.exit_code == 0, result.output
    assert "re-sent 0 message(s)" in result.output
    assert f"up to position {upto}" in " ".join(result.output.split())
    assert f"{upto + 1}..{upto}" not in result.output
