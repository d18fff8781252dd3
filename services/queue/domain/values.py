"""Values of the queue context: channels, priority groups, ticket states and outcomes."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import TypeVar

from services.shared.errors import ValidationError

__all__ = [
    "APPLICANT_ID",
    "PHONE",
    "Channel",
    "PriorityGroup",
    "ServiceOutcome",
    "TicketStatus",
    "parse",
]

E = TypeVar("E", bound=StrEnum)

APPLICANT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:@-]{0,63}\Z")
"""An opaque applicant id: the key of the data subject, never the person's data itself."""
PHONE = re.compile(r"^\+?[0-9][0-9 -]{4,19}\Z")
PREFIX = re.compile(r"^[A-Z]{1,2}\Z")
"""A queue's number prefix: one or two capital letters (``A`` gives A001, A002 …)."""
MAX_NUMBER = 999
"""A day's sequence runs from 001 to 999."""


def parse(enum: type[E], value: str, what: str) -> E:
    """``value`` as a member of ``enum``, else a :class:`ValidationError` listing the members.

    >>> parse(Channel, "KIOSK", "channel")
    <Channel.KIOSK: 'KIOSK'>
    """
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(m.value for m in enum)
        raise ValidationError(f"unknown {what} {value!r}; use one of {allowed}") from None


class Channel(StrEnum):
    """How a ticket was taken (取号渠道)."""

    KIOSK = "KIOSK"
    """自助取号机: the kiosk in the hall."""
    APPOINTMENT = "APPOINTMENT"
    """预约签到: check-in of an appointment made beforehand."""
    MOBILE = "MOBILE"
    """移动端取号: remote ticket from the app or mini-program."""
    TRANSFER = "TRANSFER"
    """转号: issued by the platform when a ticket is transferred from another queue."""


class PriorityGroup(StrEnum):
    """Who is served first under the PRIORITY_THEN_LONGEST_WAITING call rule (优先服务)."""

    NONE = "NONE"
    SENIOR = "SENIOR"
    """老年人."""
    DISABLED = "DISABLED"
    """残疾人."""
    PREGNANT = "PREGNANT"
    """孕妇及携带婴幼儿者."""
    MILITARY = "MILITARY"
    """军人、消防救援人员及优抚对象."""
    OTHER = "OTHER"
    """Other groups the hall gives priority (e.g. 重点项目绿色通道)."""


class TicketStatus(StrEnum):
    """A ticket's lifecycle: waiting → called (recalls) → serving → ended, or an early end."""

    WAITING = "WAITING"
    CALLED = "CALLED"
    SERVING = "SERVING"
    ENDED = "ENDED"
    """Served: the service ended with an outcome."""
    NO_SHOW = "NO_SHOW"
    """过号: the holder did not come, and the hall keeps missed numbers out."""
    REMOVED = "REMOVED"
    """Cancelled by the holder, removed by staff, or by the daily reset."""
    TRANSFERRED = "TRANSFERRED"
    """Moved to another queue, where it goes on under a new number."""

    @property
    def is_final(self) -> bool:
        return self in _FINAL


_FINAL = frozenset(
    {TicketStatus.ENDED, TicketStatus.NO_SHOW, TicketStatus.REMOVED, TicketStatus.TRANSFERRED}
)


class ServiceOutcome(StrEnum):
    """How a service at the window ended (办理结果)."""

    COMPLETED = "COMPLETED"
    """办结: the matter was completed on the spot."""
    ACCEPTED = "ACCEPTED"
    """受理: accepted; the result follows later."""
    CONSULTED = "CONSULTED"
    """咨询: an enquiry, answered."""
    MATERIALS_INCOMPLETE = "MATERIALS_INCOMPLETE"
    """材料不全: missing materials, listed at once (一次性告知)."""
    NOT_ACCEPTED = "NOT_ACCEPTED"
    """不予受理: refused, with the reason explained."""
