"""PrivacyService: a hall admin erases a data subject's personal data (crypto-shredding).

An erasure is recorded only when it destroys a key: the subject's own, or the record keys of
the records that hold only their data. Otherwise nothing is recorded and the erasure is
refused, unless the subject was erased before (see :meth:`PrivacyService.erase_personal_data`).
"""

from __future__ import annotations

from dataclasses import dataclass

from eventsourcing.persistence import IntegrityError

from services.halls.application import require_registered_hall
from services.privacy.domain import (
    ErasureRequest,
    RecordOfSubjectError,
    UnknownSubjectError,
    validate_reason,
)
from services.privacy.keys import DESTROY, Fetch, had_keys, records_of, subjects_of_record
from services.shared.application import HallApplication
from services.shared.errors import ConflictError
from services.store.notifier import notifier_for
from services.store.recorder import TenantProcessRecorder
from services.store.text import refuse_nul_characters

__all__ = ["Erasure", "PrivacyService"]

_RECORD = "record:"
"""``record:<aggregate id>``: the subject of a record's own personal data (no applicant)."""

_ERASE = f"""
WITH destroyed AS ({DESTROY} RETURNING key_id)
SELECT yanshen_append(%(tenant)s, %(ids)s::text[], %(versions)s::int8[], %(topics)s::text[],
                      %(states)s::bytea[])
WHERE %(unrecorded)s OR EXISTS (SELECT 1 FROM destroyed)
"""
"""Destroy the subject's keys and append the erasure's event in one statement: the event only
if a key was destroyed (or ``unrecorded``: keys destroyed earlier without an event)."""

# The topic is a literal so that the partial index events_audit_topics (migration 0006) serves.
_LAST_ERASURE = """
SELECT position, convert_from(state, 'UTF8')::jsonb -> 'record_ids' FROM events
WHERE tenant_id = %s AND topic = 'services.privacy.domain:ErasureRequest.PersonalDataErased'
  AND convert_from(state, 'UTF8')::jsonb ->> 'subject_id' = %s
ORDER BY position DESC LIMIT 1
"""


@dataclass(frozen=True)
class Erasure:
    """The result of an erasure: where it was recorded and which records it touched."""

    subject_id: str
    position: int
    """Position of the ``PersonalDataErased`` event in the hall's log (for a subject erased
    before, of that earlier erasure)."""
    record_ids: list[str]


def _named(subjects: list[str]) -> str:
    shown = ", ".join(repr(s) for s in subjects[:3])
    more = f" and {len(subjects) - 3} more" if len(subjects) > 3 else ""
    return f"data subject{'s' if len(subjects) > 1 else ''} {shown}{more}"


class PrivacyService(HallApplication):
    """Application service for one hall's data subjects (个人信息主体)."""

    def erase_personal_data(self, subject_id: str, reason: str, actor: str) -> Erasure:
        """Destroy the subject's keys and record ``PersonalDataErased``, atomically.

        Afterwards every read of the subject's sealed fields shows ``[erased]``; the events
        themselves (and so the hash chain) are unchanged.

        Raises:
            UnknownSubjectError: the hall holds no personal data of the subject (e.g. a
                mistyped id); nothing was destroyed or recorded.
            RecordOfSubjectError: ``record:<id>`` of a record whose personal data are sealed
                with a data subject's key; erase that subject instead.

        A subject whose keys were all destroyed by an earlier erasure is not erased again:
        the earlier erasure is returned and nothing is recorded, so a retry is harmless.
        """
        validate_reason(reason)
        require_registered_hall(self)
        if not isinstance(self.recorder, TenantProcessRecorder):
            raise TypeError("erasure needs the tenant event store (keys live in PostgreSQL)")
        session = self.recorder.session
        records = records_of(session.fetch, self.hall_id, subject_id)
        request = ErasureRequest(
            hall_id=self.hall_id,
            subject_id=subject_id,
            reason=reason,
            record_ids=records,
            actor=actor,
        )
        stored = [self.mapper.to_stored_event(e) for e in request.collect_events()]
        refuse_nul_characters(e.state for e in stored)  # appended below, not by the recorder
        params = {
            "tenant": self.hall_id,
            "subject": subject_id,
            "ids": [str(e.originator_id) for e in stored],
            "versions": [e.originator_version for e in stored],
            "topics": [e.topic for e in stored],
            "states": [e.state for e in stored],
            "unrecorded": False,
        }
        try:
            rows = session.fetch(_ERASE, params)
            if not rows:
                earlier = self._earlier_erasure(session.fetch, subject_id)
                if earlier is not None:
                    return earlier
                rows = session.fetch(_ERASE, {**params, "unrecorded": True})
        except IntegrityError:
            raise ConflictError("the erasure clashed with a concurrent change") from None
        position = int(rows[-1][0])
        notifier_for(session.pool).committed(self.hall_id, position)
        return Erasure(subject_id, position, records)

    def _earlier_erasure(self, fetch: Fetch, subject_id: str) -> Erasure | None:
        """The last erasure of a subject whose keys are all destroyed already (``None``: they
        were destroyed without one); raise when the subject never had a key to destroy."""
        if not had_keys(fetch, self.hall_id, subject_id):
            raise self._nothing_to_erase(fetch, subject_id)
        found = fetch(_LAST_ERASURE, (self.hall_id, subject_id))
        if not found:
            return None
        position, record_ids = found[0]
        return Erasure(subject_id, int(position), [str(r) for r in record_ids or []])

    def _nothing_to_erase(self, fetch: Fetch, subject_id: str) -> Exception:
        record = subject_id.removeprefix(_RECORD)
        if record != subject_id:
            owners = [s for s in subjects_of_record(fetch, self.hall_id, record) if s != subject_id]
            if owners:
                return RecordOfSubjectError(
                    f"the personal data of record {record} belong to {_named(owners)}, sealed"
                    " with the subject's key, which covers all of the subject's records: erase"
                    f" the subject instead (subjectId {owners[0]!r}); one record of a data"
                    " subject cannot be erased alone. Nothing was erased."
                )
        return UnknownSubjectError(
            f"the hall holds no personal data of data subject {subject_id!r}"
            " (an applicant id, or record:<id> of a record without one): nothing was erased"
        )
