"""Tenant (政务服务大厅, hall) ids and the per-transaction tenant setting."""

from __future__ import annotations

import re

from services.shared.ids import PLATFORM_LOG

__all__ = ["TENANT_SETTING", "TenantIdError", "UnknownTenantError", "validate_tenant_id"]

TENANT_SETTING = "yanshen.tenant_id"
"""The setting that row-level security policies compare ``tenant_id`` with."""

_TENANT_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}\Z")


class TenantIdError(ValueError):
    """A tenant id is not a lowercase slug of 1..63 characters from ``[a-z0-9-]``."""


class UnknownTenantError(LookupError):
    """The hall has no log: no event was ever recorded for it (no ``tenant_heads`` row).

    A registered hall always has one (``HallRegistered`` is its first event), so this is a
    hall that does not exist; appends made with ``existing_log=True`` refuse it.
    """

    def __init__(self, tenant_id: str) -> None:
        if tenant_id == PLATFORM_LOG:  # no hall: a platform that recorded nothing yet
            message = (
                "the platform log has no events yet: it starts with the first holiday "
                "schedule or partner recorded"
            )
        else:
            message = f"unknown hall {tenant_id!r}: it has no events"
        super().__init__(message)
        self.tenant_id = tenant_id


def validate_tenant_id(tenant_id: str) -> str:
    """Return ``tenant_id`` if it is a valid hall id, else raise :class:`TenantIdError`."""
    if not isinstance(tenant_id, str) or not _TENANT_ID.match(tenant_id):
        raise TenantIdError(
            f"invalid tenant id {tenant_id!r}: expected 1..63 characters of [a-z0-9-], "
            "starting with a letter or digit"
        )
    return tenant_id
