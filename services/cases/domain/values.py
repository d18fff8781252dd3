"""Values of the 帮办代办 cases context: modes, statuses, channels and the applicant."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from services.cases.domain.errors import CaseValidationError
from services.shared import values as shared

__all__ = [
    "MAX_TEXT",
    "Applicant",
    "AssistanceMode",
    "CaseStatus",
    "DeliveryMethod",
    "IdentityMethod",
    "RequestChannel",
    "ResultOutcome",
    "parse_enum",
    "require_text",
]

E = TypeVar("E", bound=StrEnum)

MAX_TEXT = 2000
"""The longest free text (reason, note) a case event takes."""
APPLICANT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:@-]{0,63}\Z")
"""An opaque applicant id: the key of the data subject, never the person's data itself."""
ID_NUMBER = re.compile(r"^[0-9A-Za-z][0-9A-Za-z-]{3,39}\Z")
"""身份证号 / 统一社会信用代码 / passport number: 4 to 40 letters, digits and hyphens."""
PHONE = re.compile(r"^\+?[0-9][0-9 -]{4,19}\Z")


class AssistanceMode(StrEnum):
    """How the hall helps (帮办代办服务方式)."""

    FULL_AGENCY = "FULL_AGENCY"
    """全程代办: an agent handles the whole matter under a signed mandate."""
    STEP_ASSISTANCE = "STEP_ASSISTANCE"
    """环节帮办: help with some steps; submission on the applicant's behalf needs a mandate."""
    ONSITE_GUIDANCE = "ONSITE_GUIDANCE"
    """现场导办: guidance in the hall; no mandate, no hand-over, no submission."""

    @property
    def acts_on_behalf(self) -> bool:
        """Whether the mode may sign a mandate, take materials and submit them."""
        return self is not AssistanceMode.ONSITE_GUIDANCE


class CaseStatus(StrEnum):
    """Where a case stands in its lifecycle."""

    REQUESTED = "REQUESTED"
    """申请: the applicant asked for help; nobody accepted it yet."""
    ACCEPTED = "ACCEPTED"
    """受理: a staff member accepted it and is its first responsible (首问负责)."""
    SUBMITTED = "SUBMITTED"
    """办理中: submitted to the department, waiting for its result."""
    SUSPENDED = "SUSPENDED"
    """中止: the case clock is stopped until it is resumed (续办)."""
    RESULT_RECEIVED = "RESULT_RECEIVED"
    """The department's result came back to the agent."""
    DELIVERED = "DELIVERED"
    """送达: the result was picked up or mailed."""
    COMPLETED = "COMPLETED"
    """办结."""
    TERMINATED = "TERMINATED"
    """终止."""
    ARCHIVED = "ARCHIVED"
    """归档."""

    @property
    def ended(self) -> bool:
        """Completed, terminated or archived: the case ended once and for all."""
        return self in _ENDED


_ENDED = frozenset({CaseStatus.COMPLETED, CaseStatus.TERMINATED, CaseStatus.ARCHIVED})


class RequestChannel(StrEnum):
    """How the request reached the hall (added in ``CaseRequested`` v2)."""

    HALL = "HALL"
    """现场: at the hall's 帮办代办 window."""
    STATION = "STATION"
    """基层服务站: at a grassroots service station."""
    ONLINE = "ONLINE"
    """网上: the online platform or an app."""
    HOTLINE = "HOTLINE"
    """热线: the hall's free hotline."""
    UNRECORDED = "UNRECORDED"
    """Requests stored as ``CaseRequested`` v1, before the channel was recorded."""


class IdentityMethod(StrEnum):
    """How the applicant's identity was verified when the mandate was signed."""

    ID_CARD_READER = "ID_CARD_READER"
    """身份证读卡器."""
    FACE_RECOGNITION = "FACE_RECOGNITION"
    """人脸识别."""
    MANUAL_CHECK = "MANUAL_CHECK"
    """人工核验 of the original documents."""
    NONE = "NONE"
    """Not verified (yet)."""


class ResultOutcome(StrEnum):
    """What the department decided."""

    APPROVED = "APPROVED"
    """准予 / 办结: the matter was granted or done."""
    NOT_APPROVED = "NOT_APPROVED"
    """不予: the department refused."""


class DeliveryMethod(StrEnum):
    """How the result reaches the applicant (送达)."""

    PICKUP = "PICKUP"
    """窗口领取: picked up at the hall."""
    MAIL = "MAIL"
    """邮寄: mailed to the delivery address."""


def parse_enum(kind: type[E], value: str, what: str) -> E:
    """``value`` as a member of ``kind``, or a :class:`CaseValidationError` naming the options.

    >>> parse_enum(AssistanceMode, "FULL_AGENCY", "mode")
    <AssistanceMode.FULL_AGENCY: 'FULL_AGENCY'>
    """
    return shared.parse_enum(kind, value, what, error=CaseValidationError)


def require_text(value: str, what: str, *, limit: int = MAX_TEXT, empty: bool = False) -> str:
    """``value`` stripped; refused when longer than ``limit`` or (unless ``empty``) blank."""
    return shared.require_text(value, what, limit, optional=empty, error=CaseValidationError)


@dataclass(frozen=True)
class Applicant:
    """The person or enterprise asking for help; every field but the id is personal data.

    ``applicant_id`` is opaque: it keys the data subject (whose personal fields a later
    step encrypts with a per-person key) and carries no personal data itself.
    """

    applicant_id: str
    name: str
    id_number: str
    phone: str
    address: str = ""

    def validated(self) -> Applicant:
        """The applicant with trimmed fields, or a :class:`CaseValidationError`.

        >>> Applicant("a-1", " 张三 ", "110101199003070011", "13800000000").validated().name
        '张三'
        """
        if not APPLICANT_ID.match(self.applicant_id):
            raise CaseValidationError("an applicant id is 1 to 64 letters, digits or ._:@-")
        if not ID_NUMBER.match(self.id_number.strip()):
            raise CaseValidationError("an ID number is 4 to 40 letters, digits or hyphens")
        if not PHONE.match(self.phone.strip()):
            raise CaseValidationError("a phone number is 5 to 20 digits, spaces or hyphens")
        return Applicant(
            applicant_id=self.applicant_id,
            name=require_text(self.name, "an applicant name", limit=100),
            id_number=self.id_number.strip().upper(),
            phone=self.phone.strip(),
            address=require_text(self.address, "an address", limit=200, empty=True),
        )
