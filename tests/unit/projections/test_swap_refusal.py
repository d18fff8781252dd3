"""Which rebuild swaps would mix projection versions in the live tables (``swap_refusal``)."""

from __future__ import annotations

import pytest

from projections.runtime.versions import ProjectionVersion, swap_refusal


def _v(code: int, live: int) -> list[ProjectionVersion]:
    return [ProjectionVersion("halls", 1, 1, True), ProjectionVersion("catalog", code, live, True)]


@pytest.mark.parametrize(
    ("code", "live", "tenant", "downgrade", "allowed"),
    [
        (2, 2, "h-1", False, True),  # one hall with the live version's code
        (2, 1, "h-1", False, False),  # one hall of new rows into old tables
        (1, 2, "h-1", False, False),  # one hall of old rows into newer tables
        (2, 2, None, False, True),
        (2, 1, None, False, True),  # the upgrade itself
        (1, 2, None, False, False),  # a downgrade, not asked for
        (1, 2, None, True, True),  # a downgrade, asked for
    ],
)
def test_a_swap_is_refused_when_it_would_mix_versions(
    code: int, live: int, tenant: str | None, downgrade: bool, allowed: bool
) -> None:
    refusal = swap_refusal(_v(code, live), tenant=tenant, downgrade=downgrade)
    assert (refusal is None) is allowed


def test_the_refusals_say_what_to_run_instead() -> None:
    newer = swap_refusal(_v(2, 1), tenant="h-1")
    assert newer is not None
    assert "catalog: its live tables were built by version 1, this code is version 2" in newer
    assert "`yanshen rebuild catalog`" in newer
    older = swap_refusal(_v(1, 2), tenant="h-1")
    assert older is not None
    assert "this code is older (version 1)" in older
    assert "`yanshen rebuild catalog --tenant h-1` of the release that built them" in older
    assert "--downgrade" not in older
    full = swap_refusal(_v(1, 2), tenant=None)
    assert full is not None
    assert "`yanshen rebuild catalog` of the release that built them (version 2)" in full
    assert "add --downgrade when rolling back to this release" in full
