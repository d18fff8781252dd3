"""The registers' filters: an applicant's own id always wins, and only ``None`` means no
applicant filter (an empty id must not lift it)."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.cases.register import CaseRegisterFilter
from gateway.complaints.register import ComplaintRegisterFilter
from gateway.evaluations.ratings import RatingsFilter

FILTERS: list[Any] = [CaseRegisterFilter, ComplaintRegisterFilter, RatingsFilter]


@pytest.mark.parametrize("applicant", ["person-7", ""])
@pytest.mark.parametrize("make", FILTERS, ids=lambda f: f.__name__)
def test_an_applicant_callers_id_is_the_filter_even_when_empty(make, applicant):
    assert make().to_filter(applicant).applicant_id == applicant


@pytest.mark.parametrize("make", FILTERS, ids=lambda f: f.__name__)
def test_other_callers_get_no_applicant_filter_of_their_own(make):
    assert make().to_filter(None).applicant_id is None


@pytest.mark.parametrize("applicant", ["person-7", ""])
def test_an_applicant_cannot_name_another_applicant_in_the_case_filter(applicant):
    asked = CaseRegisterFilter(applicant_id="person-8")
    assert asked.to_filter(applicant).applicant_id == applicant
    assert asked.to_filter(None).applicant_id == "person-8"  # staff may name one
