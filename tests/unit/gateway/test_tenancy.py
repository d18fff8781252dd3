"""The hall a request may read comes from the token; applicants see their own records."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from gateway.auth import ANONYMOUS, Principal, Role
from gateway.security import (
    applicant_filter,
    hall_of,
    not_found,
    readable_hall,
    visible_to_caller,
)
from services.shared import ForbiddenError, ValidationError


def info(principal: Principal) -> SimpleNamespace:
    return SimpleNamespace(context=SimpleNamespace(principal=principal))


STAFF_A = info(Principal("s1", Role.STAFF, "hall-a"))
OPERATOR = info(Principal("op", Role.PLATFORM_OPERATOR, None))
APPLICANT = info(Principal("person-7", Role.APPLICANT, "hall-a"))
NOBODY = info(ANONYMOUS)


def test_the_hall_is_the_tokens():
    assert hall_of(STAFF_A) == "hall-a"
    with pytest.raises(ForbiddenError):
        hall_of(OPERATOR)


@pytest.mark.parametrize(
    ("caller", "named", "public", "expected"),
    [
        (STAFF_A, None, False, "hall-a"),
        (STAFF_A, "hall-a", False, "hall-a"),
        (STAFF_A, "hall-b", False, None),  # another hall: like one that does not exist
        (STAFF_A, "hall-b", True, "hall-b"),  # public data of any hall
        (OPERATOR, "hall-b", False, "hall-b"),
        (OPERATOR, None, False, None),
        (NOBODY, "hall-b", False, None),
        (NOBODY, "hall-b", True, "hall-b"),
    ],
)
def test_readable_hall(caller, named, public, expected):
    assert readable_hall(caller, named, public=public) == expected


def test_a_malformed_hall_id_is_a_validation_error():
    with pytest.raises(ValidationError):
        readable_hall(STAFF_A, "Not A Hall!")


def test_absent_and_foreign_records_get_the_same_error():
    foreign, absent = not_found("complaint", "c-1"), not_found("complaint", "c-1")
    assert (
        (foreign.code, str(foreign))
        == (absent.code, str(absent))
        == (
            "NOT_FOUND",
            "complaint 'c-1' does not exist in this hall",
        )
    )


def test_an_applicant_sees_only_their_own_records():
    assert applicant_filter(APPLICANT) == "person-7"
    assert applicant_filter(STAFF_A) is None
    assert visible_to_caller(APPLICANT, "person-7")
    assert not visible_to_caller(APPLICANT, "person-8")
    assert visible_to_caller(STAFF_A, "person-8")
