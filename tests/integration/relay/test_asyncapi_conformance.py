"""What the relay really sends matches contracts/asyncapi.yaml: every header the message
declares is there and valid, and the body validates against the message's payload schema
(on platform topics also against the event's own contract)."""

from __future__ import annotations

from functools import cache

import pytest
import yaml
from jsonschema import Draft202012Validator

from contracts import EVENT_TYPES, validate_payload
from contracts.asyncapi import DOCUMENT
from services.catalog import CatalogService
from services.catalog.application import ItemTerms
from services.partners import GrantStart
from services.relay import partner_topic
from tests.integration.relay.support import (
    consume,
    grant,
    of_hall,
    onboard,
    publish_items,
    read_all,
)

pytestmark = pytest.mark.kafka


@cache
def _document() -> dict:
    return yaml.safe_load(DOCUMENT.read_text(encoding="utf-8"))


def _validator(pointer: str) -> Draft202012Validator:
    # The whole document as the root resource, so "#/components/..." references resolve.
    return Draft202012Validator({**_document(), "$ref": pointer})


def _check(message, channel: str) -> str:
    doc = _document()
    channel_messages = doc["channels"][channel]["messages"]
    by_type = {
        doc["components"]["messages"][ref["$ref"].rsplit("/", 1)[1]]["headers"]["properties"][
            "ce_type"
        ]["const"]: ref["$ref"]
        for ref in channel_messages.values()
    }
    ref = by_type[message.headers["ce_type"]]
    assert message.topic in {doc["channels"][channel]["address"]} or channel == "partner"
    _validator(f"{ref}/headers").validate(message.headers)
    _validator(f"{ref}/payload").validate(message.body)
    return ref


def test_platform_messages_match_the_document_and_their_contracts(
    platform, kafka_bootstrap_servers, hall, make_relay
):
    onboard(platform, hall, "S1", "张三")
    publish_items(platform, hall, ["X1"])
    platform.hall_app(CatalogService, hall).revise_service_item(
        "X1", ItemTerms(name="改", category="OTHER"), "admin-1"
    )
    relay = make_relay()
    topics = relay.ensure_topics()
    relay.run_once()
    found = consume(
        kafka_bootstrap_servers, topics, keep=of_hall(hall), until=lambda f: len(f) >= 4
    )
    assert len(found) == 4
    current = {t.cloudevents_type: t for t in EVENT_TYPES}
    for message in found:
        context = message.topic.split(".", 1)[1]
        _check(message, context)
        event_type = current[message.headers["ce_type"]]
        body = {k: v for k, v in message.body.items() if k != "hall_position"}
        validate_payload(event_type, body)


def test_partner_messages_redacted_or_not_match_the_document(
    platform, kafka_bootstrap_servers, hall, partner, fanout
):
    grant(
        platform, hall, partner, ["staff.StaffOnboarded", "catalog.*"], start=GrantStart.BEGINNING
    )
    onboard(platform, hall, "S1", "张三")
    publish_items(platform, hall, ["X1"])
    fanout.catch_up()
    found = read_all(kafka_bootstrap_servers, partner_topic(partner))
    assert len(found) == 2
    redacted = [m for m in found if m.headers.get("ce_redacted")]
    assert len(redacted) == 1
    for message in found:
        _check(message, "partner")
