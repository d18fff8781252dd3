"""Fixtures of the 帮办代办 case tests: a hall with an injected clock."""

from __future__ import annotations

import pytest

from tests.unit.cases.support import Clock, Hall, make_hall


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def hall(clock: Clock) -> Hall:
    return make_hall(clock)
