"""GraphQL of the holidays context (节假日安排): recording the official schedule, coverage."""

from gateway.holidays.schema import HolidayMutations, HolidayQueries

__all__ = ["HolidayMutations", "HolidayQueries"]
