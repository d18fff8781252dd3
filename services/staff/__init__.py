"""Staff (服务人员): the people who serve at a hall's windows."""

from services.staff.application import StaffService
from services.staff.domain import Post, StaffMember, StaffRole, Training
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
)

__all__ = [
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
    "Training",
]
