"""PrivacyService: a hall admin erases a data subject's personal data (crypto-shredding)."""

from __future__ import annotations

from dataclasses import dataclass

from eventsourcing.persistence import IntegrityError

from services.halls.application import require_registered_hall
from services.privacy.domain import ErasureRequest, validate_reason
from services.privacy.keys import DESTROY, records_of
from services.shared.application import HallApplication
from services.shared.errors import ConflictError
from services.store.notifier import notifier_for
from services.store.recorder import TenantProcessRecorder
from services.store.statements import APPEND_EVENTS

__all__ = ["Erasure", "PrivacyService"]


@dataclass(frozen=True)
class Erasure:
    """The result of an erasure: where it was recorded and which records it touched."""

    subject_id: str
    position: int
    """Position of the ``PersonalDataErased`` event in the hall's log."""
    record_ids: list[str]


class PrivacyService(HallApplication):
    """Application service for one hall's data subjects (个人信息主体)."""

    def erase_personal_data(self, subject_id: str, reason: str, actor: str) -> Erasure:
        """Destroy the subject's keys and record ``PersonalDataErased``, atomically.

        Afterwards every read of the subject's sealed fields shows ``[erased]``; the events
        themselves (and so the hash chain) are unchanged.
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
        append = (
            self.hall_id,
            [str(e.originator_id) for e in stored],
            [e.originator_version for e in stored],
            [e.topic for e in stored],
            [e.state for e in stored],
            None,
            None,
        )
        destroy = {"tenant": self.hall_id, "subject": subject_id}
        try:
            rows = session.fetch(APPEND_EVENTS, append, before=[(DESTROY, destroy)])
        except IntegrityError:
            raise ConflictError("the erasure clashed with a concurrent change") from None
        position = int(rows[-1][0])
        notifier_for(session.pool).committed(self.hall_id, position)
        return Erasure(subject_id, position, records)
