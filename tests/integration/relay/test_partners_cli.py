"""``yanshen partners``: register, grant, list, replay and revoke from the command line."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from deploy.cli import app
from services.relay import partner_topic
from tests.integration.relay.support import (
    new_partner_id,
    publish_items,
    read_all,
    record_grant,
)

pytestmark = pytest.mark.kafka

runner = CliRunner()


@pytest.fixture
def env(monkeypatch, database_url, kafka_bootstrap_servers):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", kafka_bootstrap_servers)


def _run(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, ["partners", *args])
    assert result.exit_code == code, result.output
    return result.output


@pytest.mark.parametrize("command", ["register", "grant", "revoke", "list", "replay", "types"])
def test_every_partners_subcommand_has_help(command):
    assert "Usage" in _run(command, "--help")


def test_register_grant_list_replay_revoke(env, platform, kafka_bootstrap_servers, hall, fanout):
    partner = new_partner_id()
    assert partner_topic(partner) in _run("register", partner, "--name", "税务局")
    _run("register", partner, "--name", "again", code=1)
    out = _run("grant", partner, "--tenant", hall, "--type", "catalog.*", "--from", "beginning")
    assert "granted" in out
    assert "catalog.* (3 event type(s) today)" in out
    publish_items(platform, hall, ["X1", "X2"])
    fanout.catch_up()
    assert len(read_all(kafka_bootstrap_servers, partner_topic(partner))) == 2

    listing = _run("list", "--tenant", hall)
    (line,) = [row for row in listing.splitlines() if row.startswith(partner)]
    columns = line.split("\t")  # partner hall state personal_data since event_types … name
    assert (columns[2], columns[5]) == ("active", "catalog.*")  # the pattern as granted

    out = _run("replay", partner, "--tenant", hall, "--from", "1")
    assert "re-sent 2 message(s)" in out
    assert len(read_all(kafka_bootstrap_servers, partner_topic(partner))) == 4

    assert "revoked" in _run("revoke", partner, "--tenant", hall, "--reason", "ended")
    assert "revoked" in _run("list", "--tenant", hall)
    _run("revoke", partner, "--tenant", hall, code=1)  # nothing active any more


def test_refusals_exit_with_a_message(env, hall):
    assert "PartnerNotFoundError" in _run(
        "grant", "nobody", "--tenant", hall, "--type", "queue.*", code=1
    )
    partner = new_partner_id()
    _run("register", partner, "--name", "n")
    assert "UnknownEventTypeError" in _run(
        "grant", partner, "--tenant", hall, "--type", "queue.Bogus", code=1
    )
    assert "platform" in _run("grant", partner, "--tenant", "platform", "--type", "queue.*", code=1)
    _run("replay", "nobody", "--tenant", hall, code=1)


def test_listing_a_hall_that_is_not_registered_is_refused(env, hall):
    """A misspelt --tenant is not listed as a hall where no partner holds a grant."""
    _run("register", new_partner_id(), "--name", "n")
    assert "HallNotRegisteredError" in _run("list", "--tenant", f"{hall}-nope", code=1)
    assert "ValidationError" in _run("list", "--tenant", "Not_A_Hall", code=1)
    assert "no grant" in _run("list", "--tenant", hall)


def test_a_refusal_echoing_brackets_is_printed_as_text(env, hall):
    """The operator's text in a refusal is not console markup: "[/x]" is printed, not a
    MarkupError traceback."""
    partner = new_partner_id()
    _run("register", partner, "--name", "n")
    out = _run("grant", partner, "--tenant", hall, "--type", "[/x]", code=1)
    assert "UnknownEventTypeError" in out
    assert "[/x]" in out
    assert "MarkupError" not in out


def test_types_and_list_leave_out_audit_records(env, platform, hall):
    """Audit types are listed nowhere as grantable; a grant recorded naming one before says
    it is not delivered."""
    assert "audit." not in _run("types")
    assert "queue.TicketIssued" in _run("types")
    partner = new_partner_id()
    _run("register", partner, "--name", "n")
    record_grant(platform, hall, partner, ["audit.AuditAccessRecorded", "catalog.*"])
    listing = _run("list", "--tenant", hall)
    (line,) = [row for row in listing.splitlines() if row.startswith(partner)]
    columns = line.split("\t")  # … event_types not_delivered name
    assert columns[5:7] == ["audit.AuditAccessRecorded,catalog.*", "audit.AuditAccessRecorded"]
    assert "not_delivered: audit.AuditAccessRecorded: not grantable" in listing
    refused = _run("grant", partner, "--tenant", hall, "--type", "audit.*", code=1)
    assert "UnknownEventTypeError" in refused
    assert "not grantable" in refused
