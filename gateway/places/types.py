"""GraphQL types of the places context: service places and windows.

The enums are GraphQL copies of the domain's (same names and values), so the domain stays
free of GraphQL; for the type checker they are the domain enums.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum, StrEnum
from typing import TYPE_CHECKING, Any

import strawberry

from gateway.security import INHERITED, allow
from services.places import PlaceType, ServicePlace, Window, WindowStatus, WindowType

__all__ = [
    "ConfigureWindowInput",
    "PlaceTypeEnum",
    "RegisterServicePlaceInput",
    "ServicePlaceType",
    "WindowStatusEnum",
    "WindowTypeEnum",
    "WindowView",
    "graphql_enum",
]


def graphql_enum(domain: type[StrEnum], name: str, description: str) -> Any:
    """A GraphQL enum with the names and values of the domain enum ``domain``."""
    copy = Enum(name, {member.name: member.value for member in domain})  # type: ignore[misc]
    return strawberry.enum(copy, name=name, description=description)


if TYPE_CHECKING:
    PlaceTypeEnum = PlaceType
    WindowTypeEnum = WindowType
    WindowStatusEnum = WindowStatus
else:
    PlaceTypeEnum = graphql_enum(
        PlaceType, "PlaceType", "政务服务大厅 / 基层服务站 / 网上服务平台."
    )
    WindowTypeEnum = graphql_enum(WindowType, "WindowType", "综合窗口 / 帮办代办窗口 / 投诉窗口.")
    WindowStatusEnum = graphql_enum(
        WindowStatus, "WindowStatus", "CLOSED until opened; SUSPENDED (暂停服务) calls no tickets."
    )


@allow(INHERITED)
@strawberry.type(
    name="ServicePlace",
    description="A service place (服务场所): an offline hall, a 基层服务站 or the online platform.",
)
class ServicePlaceType:
    code: str
    name: str
    place_type: PlaceTypeEnum
    address: str
    registered_at: datetime

    @classmethod
    def from_aggregate(cls, place: ServicePlace) -> ServicePlaceType:
        return cls(
            code=place.code,
            name=place.name,
            place_type=PlaceTypeEnum(place.place_type.value),
            address=place.address,
            registered_at=place.created_on,
        )


@allow(INHERITED)
@strawberry.type(
    name="Window",
    description="A service window (窗口) as it stands after the command: what it serves and "
    "whether it is open.",
)
class WindowView:
    code: str
    name: str
    window_type: WindowTypeEnum
    place_code: str = strawberry.field(description="'' for the hall's own premises.")
    item_codes: list[str]
    queue_codes: list[str] = strawberry.field(
        description="The queues the window calls from, in the window's order."
    )
    status: WindowStatusEnum
    suspension_reason: str
    updated_at: datetime

    @classmethod
    def from_aggregate(cls, window: Window) -> WindowView:
        return cls(
            code=window.code,
            name=window.name,
            window_type=WindowTypeEnum(window.window_type.value),
            place_code=window.place_code,
            item_codes=list(window.item_codes),
            queue_codes=list(window.queue_codes),
            status=WindowStatusEnum(window.status.value),
            suspension_reason=window.suspension_reason,
            updated_at=window.modified_on,
        )


@strawberry.input(description="A service place to register.")
class RegisterServicePlaceInput:
    code: str = strawberry.field(description="Place code, unique in the hall.")
    name: str
    place_type: PlaceTypeEnum
    address: str = strawberry.field(default="", description="Address, or the platform's URL.")


@strawberry.input(description="A window's configuration (all values, not a difference).")
class ConfigureWindowInput:
    code: str = strawberry.field(description="Window code, unique in the hall (e.g. W01).")
    name: str
    window_type: WindowTypeEnum
    item_codes: list[str] = strawberry.field(
        default_factory=list, description="Catalog items served."
    )
    queue_codes: list[str] = strawberry.field(
        default_factory=list, description="Queues the window calls from, in order."
    )
    place_code: str = strawberry.field(
        default="",
        description="The window's place ('' for the hall's own premises); fixed once configured.",
    )
