"""Erasure requests (个人信息删除, PIPL art. 47): a data subject's personal data is erased.

>>> request = ErasureRequest(hall_id="demo", subject_id="a-1", reason="申请人请求删除",
...     record_ids=[], actor="admin-1")
>>> request.subject_id
'a-1'
"""

from __future__ import annotations

import re

from eventsourcing.domain import Aggregate, event

from services.shared.errors import NotFoundError, ValidationError
from services.shared.ids import validate_hall_id

__all__ = [
    "SUBJECT_ID",
    "ErasureRequest",
    "InvalidSubjectError",
    "RecordOfSubjectError",
    "UnknownSubjectError",
    "validate_reason",
]

SUBJECT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:@-]{0,79}\Z")
"""An opaque subject id (``applicant_id`` values, or ``record:<aggregate id>``)."""


class InvalidSubjectError(ValidationError):
    """A subject id is not an opaque id of the accepted form."""


class UnknownSubjectError(NotFoundError):
    """The hall holds no personal data of the data subject: there is nothing to erase."""


class RecordOfSubjectError(ValidationError):
    """``record:<id>`` names a record whose personal data are sealed with a data subject's key:
    only the subject can be erased (their key covers all their records)."""


def validate_reason(reason: str, what: str = "a reason") -> str:
    """The stripped reason; raise :class:`ValidationError` when it is missing or too long."""
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        raise ValidationError(f"{what} is required")
    if len(text) > 500:
        raise ValidationError(f"{what} is limited to 500 characters")
    return text


class ErasureRequest(Aggregate):
    """One erasure of a data subject's personal data in a hall (crypto-shredding)."""

    class PersonalDataErased(Aggregate.Created):
        """PersonalDataErased: the subject's keys were destroyed in the same transaction.

        ``record_ids`` are the records (aggregate ids) that held the subject's personal data:
        read models blank the personal columns of rows keyed by ``subject_id``, and of the
        rows of those records copied from events that name no subject (see docs/audit.md).
        """

        hall_id: str
        subject_id: str
        reason: str
        record_ids: list[str]
        actor: str

    @event(PersonalDataErased)
    def __init__(
        self, hall_id: str, subject_id: str, reason: str, record_ids: list[str], actor: str
    ) -> None:
        validate_hall_id(hall_id)
        if not isinstance(subject_id, str) or not SUBJECT_ID.match(subject_id):
            raise InvalidSubjectError(f"invalid data subject id {subject_id!r}")
        self.hall_id = hall_id
        self.subject_id = subject_id
        self.reason = validate_reason(reason)
        self.record_ids = list(record_ids)
        self.actor = actor
