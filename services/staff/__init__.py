"""Staff (服务人员): the people who serve at a hall's windows."""

from services.staff.application import StaffService
from services.staff.directory import find_staff
from services.staff.domain import OpenWork, Post, StaffMember, StaffRole, Training
from services.staff.errors import (
    StaffAlreadyAssignedError,
    StaffAlreadySignedInError,
    StaffError,
    StaffExistsError,
    StaffNotAssignedError,
    StaffNotFoundError,
    StaffNotOnDutyError,
    StaffNotSignedInError,
    StaffOffboardedError,
    StaffOnDutyError,
    StaffWorkOpenError,
    StaffWorkUnknownError,
)
from services.staff.open_work import OpenWorkLookup, open_work_in_log

__all__ = [
    "OpenWork",
    "OpenWorkLookup",
    "Post",
    "StaffAlreadyAssignedError",
    "StaffAlreadySignedInError",
    "StaffError",
    "StaffExistsError",
    "StaffMember",
    "StaffNotAssignedError",
    "StaffNotFoundError",
    "StaffNotOnDutyError",
    "StaffNotSignedInError",
    "StaffOffboardedError",
    "StaffOnDutyError",
    "StaffRole",
    "StaffService",
    "StaffWorkOpenError",
    "StaffWorkUnknownError",
    "Training",
    "find_staff",
    "open_work_in_log",
]
