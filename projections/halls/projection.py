"""Projection "halls": one row per registered hall."""

from __future__ import annotations

from functools import singledispatchmethod
from typing import Any

import psycopg

from projections.runtime.projection import Projection
from services.halls.domain import Hall

__all__ = ["HallsProjection"]


class HallsProjection(Projection):
    """Keeps ``halls`` in step with the halls' registrations."""

    name = "halls"
    tables = ("halls",)

    @singledispatchmethod
    def apply(self, event: Any, conn: psycopg.Connection, tenant_id: str, position: int) -> None:
        """Other events change nothing here."""

    @apply.register
    def _(
        self, event: Hall.Registered, conn: psycopg.Connection, tenant_id: str, position: int
    ) -> None:
        conn.execute(
            "INSERT INTO halls (tenant_id, name, region, registered_at, position)"
            " VALUES (%s, %s, %s, %s, %s)",
            (tenant_id, event.name, event.region, event.timestamp, position),
        )
