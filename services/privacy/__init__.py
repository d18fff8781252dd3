"""Personal data of applicants (个人信息): sealed per data subject, erasable by destroying keys.

Personal fields named by the event contracts (``x-personal-fields``) are encrypted inside the
stored events with AES-256-GCM under a key per data subject (``x-subject-field``, default
``applicant_id``), kept in table ``subject_keys``. An erasure (:class:`PrivacyService`)
destroys the keys and records ``PersonalDataErased``; every read then shows :data:`ERASED`
while the hash chain, computed over the stored ciphertext, still verifies. An erasure that
would destroy no key is refused (:class:`UnknownSubjectError`, :class:`RecordOfSubjectError`).
See ``docs/adr/0002-crypto-shredding.md`` and ``docs/audit.md``.
"""

from __future__ import annotations

from services.privacy.application import Erasure, PrivacyService
from services.privacy.codec import CODEC, PersonalDataCodec
from services.privacy.domain import (
    ErasureRequest,
    InvalidSubjectError,
    RecordOfSubjectError,
    UnknownSubjectError,
)
from services.privacy.fields import PERSONAL_SPECS, PersonalSpec, personal_spec
from services.privacy.sealing import ERASED

__all__ = [
    "CODEC",
    "ERASED",
    "PERSONAL_SPECS",
    "Erasure",
    "ErasureRequest",
    "InvalidSubjectError",
    "PersonalDataCodec",
    "PersonalSpec",
    "PrivacyService",
    "RecordOfSubjectError",
    "UnknownSubjectError",
    "personal_spec",
]
