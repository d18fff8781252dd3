"""The aggregates of the hall contexts never stamp an event with the library's wall clock:
every ``@event`` method, and every ``__init__`` a created event runs, requires a keyword-only
``timestamp``, so a command that forgets to pass its ``now`` fails at once. (The cases
context triggers its events explicitly with ``timestamp=now``.) The behaviour itself is
tested per context (``test_event_timestamps_come_from_the_injected_clock``)."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest
from eventsourcing.domain import Aggregate, decorated_funcs

import services.catalog.domain
import services.complaints.domain
import services.evaluations.domain
import services.halls.domain
import services.holidays.domain
import services.places.domain
import services.queue.domain.day
import services.queue.domain.queue
import services.queue.domain.window
import services.rectifications.domain
import services.staff.domain
import services.supervision.assessments
import services.supervision.conduct
import services.supervision.improvements
import services.supervision.inspections
import services.supervision.interviews
import services.supervision.series

MODULES: list[ModuleType] = [
    services.catalog.domain,
    services.complaints.domain,
    services.evaluations.domain,
    services.halls.domain,
    services.holidays.domain,
    services.places.domain,
    services.queue.domain.day,
    services.queue.domain.queue,
    services.queue.domain.window,
    services.rectifications.domain,
    services.staff.domain,
    services.supervision.assessments,
    services.supervision.conduct,
    services.supervision.improvements,
    services.supervision.inspections,
    services.supervision.interviews,
    services.supervision.series,
]
AGGREGATES = [
    value
    for module in MODULES
    for value in vars(module).values()
    if inspect.isclass(value)
    and issubclass(value, Aggregate)
    and value.__module__ == module.__name__
]
METHODS = [f for f in decorated_funcs.values() if f.__module__ in {m.__name__ for m in MODULES}]


def _requires_timestamp(function: Callable[..., Any]) -> bool:
    parameter = inspect.signature(function).parameters.get("timestamp")
    return (
        parameter is not None
        and parameter.kind is parameter.KEYWORD_ONLY
        and parameter.default is parameter.empty
    )


@pytest.mark.parametrize("aggregate", AGGREGATES, ids=lambda a: a.__qualname__)
def test_creating_an_aggregate_requires_its_timestamp(aggregate):
    assert _requires_timestamp(aggregate.__init__)


@pytest.mark.parametrize("method", METHODS, ids=lambda f: f.__qualname__)
def test_every_event_method_requires_its_timestamp(method):
    assert _requires_timestamp(method)


def test_every_aggregate_and_event_method_is_checked():
    assert len(AGGREGATES) == 19
    assert len(METHODS) >= 50
