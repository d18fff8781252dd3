"""Staff (服务人员): the people who serve at a hall's windows."""

from services.staff.application import StaffService
from services.staff.domain import StaffExistsError, StaffMember, StaffRole

__all__ = ["StaffExistsError", "StaffMember", "StaffRole", "StaffService"]
