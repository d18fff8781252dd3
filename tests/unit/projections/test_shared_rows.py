"""The rows of a group batch, shared by its members: each member gets exactly the rows of
its topics after its own position, in log order, in a list of its own."""

from __future__ import annotations

from projections.runtime.batch import EventRow
from projections.runtime.tracking import _SharedRows

TOPICS = ["a", "b", "c", "a", "c", "b", "a", "d"]
ROWS = [EventRow(p, f"id-{p}", 1, t, b"{}") for p, t in enumerate(TOPICS, start=11)]


def _shared() -> _SharedRows:
    shared = _SharedRows()
    shared.rows = list(ROWS)  # as if read from the log (positions 11 … 18)
    return shared


def _expected(topics: set[str] | None, after: int, upto: int) -> list[EventRow]:
    return [r for r in ROWS if after < r.position <= upto and (topics is None or r.topic in topics)]


def test_each_member_gets_its_topics_after_its_position_in_log_order():
    shared = _shared()
    cases = [
        ({"a"}, 10, 18),
        ({"a", "c"}, 10, 18),
        ({"c", "a", "b"}, 10, 18),
        ({"a", "b"}, 13, 18),  # a member behind the others starts later
        ({"b", "d"}, 10, 16),
        ({"zz"}, 10, 18),
        (None, 10, 18),
        (None, 14, 17),
    ]
    for topics, after, upto in cases:
        part = shared.part(None if topics is None else frozenset(topics), after, upto)
        assert part == _expected(topics, after, upto), (topics, after, upto)


def test_a_member_changing_its_list_changes_no_other_members_rows():
    shared = _shared()
    first = shared.part(frozenset({"a"}), 10, 18)
    first.clear()
    everything = shared.part(None, 10, 18)
    everything.pop()
    assert shared.part(frozenset({"a"}), 10, 18) == _expected({"a"}, 10, 18)
    assert shared.part(None, 10, 18) == ROWS
