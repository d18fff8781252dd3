"""Tenant (政务服务大厅, hall) ids and the per-transaction tenant setting."""

from __future__ import annotations

import re

__all__ = ["TENANT_SETTING", "TenantIdError", "validate_tenant_id"]

TENANT_SETTING = "yanshen.tenant_id"
"""The setting that row-level security policies compare ``tenant_id`` with."""

_TENANT_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


class TenantIdError(ValueError):
    """A tenant id is not a lowercase slug of 1..63 characters from ``[a-z0-9-]``."""


def validate_tenant_id(tenant_id: str) -> str:
    """Return ``tenant_id`` if it is a valid hall id, else raise :class:`TenantIdError`."""
    if not isinstance(tenant_id, str) or not _TENANT_ID.match(tenant_id):
        raise TenantIdError(
            f"invalid tenant id {tenant_id!r}: expected 1..63 characters of [a-z0-9-], "
            "starting with a letter or digit"
        )
    return tenant_id
