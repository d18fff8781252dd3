"""contracts/asyncapi.yaml is generated from the contracts, current, and valid AsyncAPI 3.0.

``asyncapi-3.0.0.schema.json`` beside this file is the official AsyncAPI 3.0.0 JSON Schema
(``schemas/3.0.0-without-$id.json`` of the npm package ``@asyncapi/specs`` 6.11.1, Apache-2.0).
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import yaml

from contracts.asyncapi import DOCUMENT, build_document, main, render
from services.partners import grantable_event_types
from services.relay.topics import platform_topics

SPEC = Path(__file__).with_name("asyncapi-3.0.0.schema.json")


def test_the_committed_document_is_the_generated_one():
    assert DOCUMENT.read_text(encoding="utf-8") == render(), (
        "the event contracts changed: run `.venv/bin/python -m contracts.asyncapi` and commit "
        "contracts/asyncapi.yaml"
    )


def test_check_mode_reports_a_stale_document(tmp_path, monkeypatch):
    stale = tmp_path / "asyncapi.yaml"
    stale.write_text("asyncapi: 3.0.0\n")
    monkeypatch.setattr("contracts.asyncapi.DOCUMENT", stale)
    assert main(["--check"]) == 1
    assert stale.read_text() == "asyncapi: 3.0.0\n"
    assert main([]) == 0
    assert stale.read_text() == render()


def test_the_document_is_valid_asyncapi_3():
    spec = json.loads(SPEC.read_text())
    errors = list(jsonschema.Draft7Validator(spec).iter_errors(yaml.safe_load(render())))
    assert errors == [], [e.message[:200] for e in errors[:3]]


def test_every_topic_and_current_event_type_is_described():
    doc = build_document()
    addresses = {c["address"] for c in doc["channels"].values()}
    assert set(platform_topics()) | {"yanshen.partner.{partnerId}"} == addresses
    partner_messages = doc["channels"]["partner"]["messages"]
    assert {m.removeprefix("partner.").rsplit(".v", 1)[0] for m in partner_messages} == set(
        grantable_event_types()
    )
    headers = doc["components"]["messages"]["queue.TicketIssued.v1"]["headers"]
    assert set(headers["required"]) == {
        "ce_specversion",
        "ce_id",
        "ce_type",
        "ce_source",
        "ce_subject",
        "ce_time",
        "content-type",
    }


def test_every_reference_resolves():
    doc = build_document()

    def refs(node):
        if isinstance(node, dict):
            if "$ref" in node:
                yield node["$ref"]
            for value in node.values():
                yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    for ref in set(refs(doc)):
        target = doc
        for part in ref.removeprefix("#/").split("/"):
            target = target[part]
        assert target, ref


def test_partner_payloads_allow_redacted_personal_fields():
    schemas = build_document()["components"]["schemas"]
    platform, partner = (
        schemas["staff.StaffOnboarded.v1"],
        schemas["partner.staff.StaffOnboarded.v1"],
    )
    # A personal field is its value, or the erasure marker once the data subject was erased.
    assert platform["properties"]["name"]["anyOf"][0]["type"] == "string"
    assert platform["properties"]["name"]["anyOf"][1]["const"] == "[erased]"
    assert {"type": "null"} in partner["properties"]["name"]["oneOf"]
    assert "hall_position" in platform["required"]
