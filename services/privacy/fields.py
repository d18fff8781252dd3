"""Which stored events carry personal data, and whose (the data subject).

Read once from the event contracts (``contracts/events/*.json``):

- ``x-personal-fields``: the fields holding applicants' personal data (name, ID number,
  phone, address, free text in their words). They are sealed per data subject.
- ``x-subject-field``: the field naming the data subject (an opaque id, never personal data
  itself). Without it, ``applicant_id`` is the subject field when the event has one.
  An event without a subject field (or with an empty one, e.g. an anonymous complaint) is
  sealed for its record's subject: the first subject an earlier event of the same aggregate
  named, else the record itself (subject id ``record:<aggregate id>``). An event whose
  subject field is empty (an anonymous complaint or ticket) is sealed for the record itself:
  a shared record such as a queue day holds many applicants' data.

>>> spec = personal_spec("services.complaints.domain:Complaint.Received")
>>> (spec.subject_field, "facts" in spec.fields)
('applicant_id', True)
>>> personal_spec("services.catalog.domain:ServiceItem.Published") is None
True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from contracts import EVENT_TYPES, schema_for

__all__ = ["DEFAULT_SUBJECT_FIELD", "PERSONAL_SPECS", "PersonalSpec", "personal_spec"]

DEFAULT_SUBJECT_FIELD = "applicant_id"
"""The subject field of an event whose contract does not name one (``x-subject-field``)."""


@dataclass(frozen=True)
class PersonalSpec:
    """The personal fields of one stored event topic (all its versions) and its subject."""

    topic: str
    fields: frozenset[str]
    """Fields sealed with the subject's key (the union over the topic's versions)."""
    subject_field: str | None
    """The field that names the data subject; ``None``: the record's subject."""

    def subject_of(self, state: Mapping[str, Any]) -> str | None:
        """The subject an event state names; ``""`` when its subject field is empty (then
        the record itself is the subject); ``None`` when the event has no subject field
        (then the subject an earlier event of the record named, else the record)."""
        if self.subject_field is None:
            return None
        value = state.get(self.subject_field)
        return value if isinstance(value, str) else ""


def _load() -> dict[str, PersonalSpec]:
    specs: dict[str, PersonalSpec] = {}
    for event_type in sorted(EVENT_TYPES, key=lambda t: t.version):
        if not event_type.personal_fields:
            continue
        schema = schema_for(event_type.name, event_type.version)
        subject = schema.get("x-subject-field")
        if subject is None and DEFAULT_SUBJECT_FIELD in schema.get("properties", {}):
            subject = DEFAULT_SUBJECT_FIELD
        earlier = specs.get(event_type.topic)
        fields = frozenset(event_type.personal_fields) | (earlier.fields if earlier else set())
        specs[event_type.topic] = PersonalSpec(event_type.topic, fields, subject)
    return specs


PERSONAL_SPECS: Mapping[str, PersonalSpec] = MappingProxyType(_load())
"""Stored event topic → its personal fields; topics without personal data are absent."""


def personal_spec(topic: str) -> PersonalSpec | None:
    """The personal fields of events stored under ``topic`` (``None``: no personal data)."""
    return PERSONAL_SPECS.get(topic)
