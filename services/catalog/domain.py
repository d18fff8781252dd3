"""Service items (服务事项) of a hall's catalog: published, revised, withdrawn.

Every event's timestamp is its command's moment (``now`` or ``timestamp``: the application's
clock); the catalog's read model shows it as the item's publication and update times.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from services.shared import ConflictError, NotFoundError, ValidationError, stable_id
from services.shared.values import parse_enum

__all__ = [
    "ItemCategory",
    "ServiceItem",
    "ServiceItemExistsError",
    "ServiceItemNotFoundError",
    "ServiceItemWithdrawnError",
]

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}\Z")
MAX_TEXT = 2000
MAX_MATERIALS = 100


class ItemCategory(StrEnum):
    """The kind of extended service an item is."""

    HOTLINE_CONSULTATION = "HOTLINE_CONSULTATION"
    """免费热线咨询: free hotline consultation."""
    ASSISTANCE = "ASSISTANCE"
    """帮办代办: help / agent handling."""
    REGISTERED_ADDRESS = "REGISTERED_ADDRESS"
    """企业注册地址: enterprise registered-address service."""
    OTHER = "OTHER"
    """Other facilitation services."""


class ServiceItemExistsError(ConflictError):
    """An item with this code is already in the hall's catalog."""


class ServiceItemNotFoundError(NotFoundError):
    """No item with this code in the hall's catalog."""


class ServiceItemWithdrawnError(ConflictError):
    """The item was withdrawn and can no longer be changed."""


def _category(value: str) -> ItemCategory:
    return parse_enum(ItemCategory, value, "item category")


def _check_terms(
    name: str, legal_basis: str, materials: list[str], promised_working_days: int, fee_cents: int
) -> None:
    if not name.strip() or len(name) > 200:
        raise ValidationError("an item name is 1 to 200 characters")
    if len(legal_basis) > MAX_TEXT:
        raise ValidationError(f"the legal basis is limited to {MAX_TEXT} characters")
    if len(materials) > MAX_MATERIALS or any(not m.strip() or len(m) > 200 for m in materials):
        raise ValidationError(f"at most {MAX_MATERIALS} materials, each 1 to 200 characters")
    if not 0 <= promised_working_days <= 365:
        raise ValidationError("promised working days must be between 0 and 365")
    if not 0 <= fee_cents <= 100_000_000:
        raise ValidationError("a fee is between 0 and 1,000,000.00 yuan")


class ServiceItem(Aggregate):
    """A service item of a hall's catalog (服务事项), identified by its code in the hall.

    >>> from datetime import UTC
    >>> item = ServiceItem(hall_id="demo", code="BDB-001", name="帮办代办",
    ...     category=ItemCategory.ASSISTANCE, legal_basis="", materials=["身份证"],
    ...     promised_working_days=5, fee_cents=0, rated=True, actor="admin-1",
    ...     timestamp=datetime(2026, 3, 2, 1, tzinfo=UTC))
    >>> item.revision, item.withdrawn
    (1, False)
    """

    class Published(Aggregate.Created):
        """ServiceItemPublished: the item appeared in the hall's catalog."""

        hall_id: str
        code: str
        name: str
        category: str
        legal_basis: str
        materials: list[str]
        promised_working_days: int
        fee_cents: int
        rated: bool
        actor: str

    class Revised(Aggregate.Event):
        """ServiceItemRevised: new terms, under a new revision number."""

        revision: int
        name: str
        category: str
        legal_basis: str
        materials: list[str]
        promised_working_days: int
        fee_cents: int
        rated: bool
        actor: str

    class Withdrawn(Aggregate.Event):
        """ServiceItemWithdrawn: the item left the catalog."""

        reason: str
        actor: str

    @event(Published)
    def __init__(
        self,
        hall_id: str,
        code: str,
        name: str,
        category: str,
        legal_basis: str,
        materials: list[str],
        promised_working_days: int,
        fee_cents: int,
        rated: bool,
        actor: str,
        *,
        timestamp: datetime,
    ) -> None:
        if not _CODE.match(code):
            raise ValidationError(
                f"invalid item code {code!r}: 1-64 letters, digits, '.', '_' or '-'"
            )
        _check_terms(name, legal_basis, materials, promised_working_days, fee_cents)
        _category(category)
        self.hall_id = hall_id
        self.code = code
        self._apply_terms(
            name, category, legal_basis, materials, promised_working_days, fee_cents, rated
        )
        self.revision = 1
        self.withdrawn = False

    @staticmethod
    def create_id(hall_id: str, code: str) -> UUID:
        """An item's id derives from (hall, code): a code is published once per hall."""
        return stable_id(hall_id, "service-item", code)

    def _apply_terms(
        self,
        name: str,
        category: str,
        legal_basis: str,
        materials: list[str],
        promised_working_days: int,
        fee_cents: int,
        rated: bool,
    ) -> None:
        self.name = name.strip()
        self.category = _category(category)
        self.legal_basis = legal_basis
        self.materials = list(materials)
        self.promised_working_days = promised_working_days
        self.fee_cents = fee_cents
        self.rated = rated

    def revise(
        self,
        name: str,
        category: str,
        legal_basis: str,
        materials: list[str],
        promised_working_days: int,
        fee_cents: int,
        rated: bool,
        now: datetime,
        actor: str,
    ) -> None:
        """Publish a new revision of the item's terms."""
        if self.withdrawn:
            raise ServiceItemWithdrawnError(f"item {self.code!r} was withdrawn")
        _check_terms(name, legal_basis, materials, promised_working_days, fee_cents)
        _category(category)
        self._revised(
            self.revision + 1,
            name,
            category,
            legal_basis,
            materials,
            promised_working_days,
            fee_cents,
            rated,
            actor,
            timestamp=now,
        )

    @event(Revised)
    def _revised(
        self,
        revision: int,
        name: str,
        category: str,
        legal_basis: str,
        materials: list[str],
        promised_working_days: int,
        fee_cents: int,
        rated: bool,
        actor: str,
        *,
        timestamp: datetime,
    ) -> None:
        """ServiceItemRevised: new terms, under a new revision number."""
        self._apply_terms(
            name, category, legal_basis, materials, promised_working_days, fee_cents, rated
        )
        self.revision = revision

    def withdraw(self, reason: str, now: datetime, actor: str) -> None:
        """Take the item out of the catalog."""
        if self.withdrawn:
            raise ServiceItemWithdrawnError(f"item {self.code!r} was already withdrawn")
        if not reason.strip() or len(reason) > MAX_TEXT:
            raise ValidationError("withdrawing an item needs a reason (up to 2000 characters)")
        self._withdrawn(reason.strip(), actor, timestamp=now)

    @event(Withdrawn)
    def _withdrawn(self, reason: str, actor: str, *, timestamp: datetime) -> None:
        """ServiceItemWithdrawn: the item left the catalog."""
        self.withdrawn = True
