"""Where a read model stands (ProjectionVersion.state): the one decision that
`yanshen projections` and the platform overview both show."""

from __future__ import annotations

import pytest

from projections.runtime.versions import ProjectionVersion, VersionState


@pytest.mark.parametrize(
    ("code", "live", "recorded", "state"),
    [
        (2, 2, True, VersionState.CURRENT),
        (2, 1, True, VersionState.REBUILD_PENDING),
        (1, 2, True, VersionState.CODE_OLDER_THAN_LIVE),
        # Nothing recorded: live reads as 1, yet no rebuild is claimed due.
        (2, 1, False, VersionState.NOT_RECORDED),
        (1, 1, False, VersionState.NOT_RECORDED),
    ],
)
def test_the_state_follows_the_recorded_version(
    code: int, live: int, recorded: bool, state: VersionState
) -> None:
    assert ProjectionVersion("catalog", code, live, recorded).state is state
