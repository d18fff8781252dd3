"""GraphQL mutations of the places context; who may use each is in its description.

Hall admins register places and configure windows. Opening, suspending, resuming and closing
a window: hall admins and supervisors for any window, staff for the window they are signed
in at (the token's subject is the staff member's badge number, 工号).
"""

from __future__ import annotations

import strawberry

from gateway.context import Info, run_sync
from gateway.places.types import (
    ConfigureWindowInput,
    RegisterServicePlaceInput,
    ServicePlaceType,
    WindowView,
)
from gateway.security import HALL_STAFF, Role, allow, hall_of
from services.places import PlacesService

__all__ = ["PlacesMutations"]


def _service(info: Info) -> PlacesService:
    return info.context.platform.hall_app(PlacesService, hall_of(info))


def _badge(info: Info) -> str | None:
    """Staff act as themselves (badge = token subject); managers act without a badge."""
    principal = info.context.principal
    return principal.subject if principal.role is Role.STAFF else None


@strawberry.type
class PlacesMutations:
    @allow(Role.HALL_ADMIN)
    @strawberry.mutation(
        description="Register a service place (hall, 基层服务站, online platform) (hall admins)."
    )
    async def register_service_place(
        self, info: Info, input: RegisterServicePlaceInput
    ) -> ServicePlaceType:
        app = _service(info)
        place = await run_sync(
            app.register_place,
            input.code,
            input.name,
            input.place_type.value,
            input.address,
            info.context.principal.subject,
        )
        return ServicePlaceType.from_aggregate(place)

    @allow(Role.HALL_ADMIN)
    @strawberry.mutation(
        description="Configure a new window at a place, with the items and queues it serves "
        "(hall admins). A new window is CLOSED."
    )
    async def configure_window(self, info: Info, input: ConfigureWindowInput) -> WindowView:
        app = _service(info)
        window = await run_sync(
            app.configure_window,
            input.code,
            input.name,
            input.window_type.value,
            list(input.item_codes),
            info.context.principal.subject,
            place_code=input.place_code,
            queue_codes=list(input.queue_codes),
        )
        return WindowView.from_aggregate(window)

    @allow(Role.HALL_ADMIN)
    @strawberry.mutation(
        description="Change a window's name, type, items and queues; its place and state stay "
        "(hall admins). CONFLICT while a ticket of a queue it would drop is reserved for it "
        "(waiting, or called there)."
    )
    async def reconfigure_window(self, info: Info, input: ConfigureWindowInput) -> WindowView:
        app = _service(info)
        window = await run_sync(
            app.reconfigure_window,
            input.code,
            input.name,
            input.window_type.value,
            list(input.item_codes),
            list(input.queue_codes),
            info.context.principal.subject,
        )
        return WindowView.from_aggregate(window)

    @allow(*HALL_STAFF)
    @strawberry.mutation(
        description="Open a closed window (hall admins, supervisors; staff at the window they "
        "are signed in at)."
    )
    async def open_window(self, info: Info, code: str) -> WindowView:
        app = _service(info)
        subject = info.context.principal.subject
        window = await run_sync(app.open_window, code, subject, _badge(info))
        return WindowView.from_aggregate(window)

    @allow(*HALL_STAFF)
    @strawberry.mutation(
        description="暂停服务: suspend an open window, with the reason shown on the queue board "
        "(hall admins, supervisors; staff at the window they are signed in at)."
    )
    async def suspend_window(self, info: Info, code: str, reason: str) -> WindowView:
        app = _service(info)
        subject = info.context.principal.subject
        window = await run_sync(app.suspend_window, code, reason, subject, _badge(info))
        return WindowView.from_aggregate(window)

    @allow(*HALL_STAFF)
    @strawberry.mutation(
        description="Resume a suspended window (hall admins, supervisors; staff at the window "
        "they are signed in at)."
    )
    async def resume_window(self, info: Info, code: str) -> WindowView:
        app = _service(info)
        subject = info.context.principal.subject
        window = await run_sync(app.resume_window, code, subject, _badge(info))
        return WindowView.from_aggregate(window)

    @allow(*HALL_STAFF)
    @strawberry.mutation(
        description="Close an open or suspended window (hall admins, supervisors; staff at the "
        "window they are signed in at). CONFLICT while a ticket is called or in service "
        "there (end, transfer or mark it first) or waits transferred to the window (call it "
        "there or transfer it elsewhere first)."
    )
    async def close_window(self, info: Info, code: str) -> WindowView:
        app = _service(info)
        subject = info.context.principal.subject
        window = await run_sync(app.close_window, code, subject, _badge(info))
        return WindowView.from_aggregate(window)
