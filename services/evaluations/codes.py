"""评价码: the one-time rating code of an invitation without an applicant id.

A kiosk ticket or a walk-in has no applicant id, so the token of whoever rates cannot show
that they were the person served. The invitation then gets a random code, printed on the
ticket or receipt (as text or a QR code) and shown once to whoever invited; the
``EvaluationInvited`` event keeps only its hash (SHA-256, hex, of the evaluation id and the
code), and rating the service takes the code.

>>> from uuid import UUID
>>> eid = UUID(int=1)
>>> code = new_rating_code()
>>> len(code), rating_code_matches(rating_code_hash(eid, code), eid, code)
(16, True)
>>> rating_code_matches(rating_code_hash(eid, code), eid, "A" * 16)
False
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from uuid import UUID

__all__ = [
    "RATING_CODE",
    "RATING_CODE_HASH",
    "new_rating_code",
    "rating_code_hash",
    "rating_code_matches",
]

RATING_CODE = re.compile(r"^[A-Za-z0-9_-]{16,64}\Z")
"""What a rating code looks like: URL-safe base64, 16 characters as issued (96 bits)."""
RATING_CODE_HASH = re.compile(r"^[0-9a-f]{64}\Z")
"""What the invitation stores: the SHA-256 (hex) of the evaluation id and the code."""


def new_rating_code() -> str:
    """A fresh random code (``secrets``, 96 bits): 16 characters of ``A-Z a-z 0-9 - _``."""
    return secrets.token_urlsafe(12)


def rating_code_hash(evaluation_id: UUID, code: str) -> str:
    """The stored form of ``code``: SHA-256 (hex) of ``"<evaluation id>:<code>"``; the id
    makes every invitation's hash different, so no table of hashes serves two invitations."""
    return hashlib.sha256(f"{evaluation_id}:{code}".encode()).hexdigest()


def rating_code_matches(stored_hash: str, evaluation_id: UUID, code: str) -> bool:
    """Whether ``code`` is the invitation's code (compared in constant time)."""
    if not stored_hash or not RATING_CODE.match(code):
        return False
    return hmac.compare_digest(rating_code_hash(evaluation_id, code), stored_hash)
