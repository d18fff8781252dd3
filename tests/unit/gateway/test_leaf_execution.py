"""The short path for plain leaf fields answers exactly like strawberry's general path."""

from __future__ import annotations

import asyncio
import enum
from datetime import UTC, datetime
from typing import Any

import pytest
import strawberry

from gateway.execution import LeafExecutionContext, leaf_fields, with_leaf_fields
from gateway.limits.query import ParseCache
from gateway.schema import build_schema


@strawberry.enum
class Status(enum.Enum):
    OPEN = "open"
    CLOSED = "closed"


@strawberry.type
class Ticket:
    number: int
    display_number: str
    status: Status
    called_at: datetime | None
    share: float | None
    badges: list[str]
    codes: list[int | None] | None = None

    @strawberry.field
    def doubled(self, times: int = 2) -> int:
        return self.number * times


@strawberry.type
class Window:
    code: str
    ticket: Ticket | None
    tickets: list[Ticket]


AT = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)


def _ticket(n: int, **changes: Any) -> Ticket:
    values: dict[str, Any] = {
        "number": n,
        "display_number": f"A{n:03d}" if type(n) is int else f"A{n}",
        "status": Status.OPEN,
        "called_at": AT if n % 2 else None,
        "share": n / 10 if n % 3 else None,
        "badges": [f"B{n}"],
    }
    return Ticket(**{**values, **changes})


def _window() -> Window:
    return Window(code="W01", ticket=_ticket(1), tickets=[_ticket(n) for n in range(2, 6)])


@strawberry.type
class Query:
    @strawberry.field
    def window(self) -> Window:
        return _window()

    @strawberry.field
    def broken(self) -> Window:
        """Values the types refuse: None for a non-null field, a string for an Int."""
        return Window(
            code="W02",
            ticket=_ticket(7, display_number=None),
            tickets=[_ticket(8, number="not a number"), _ticket(9, status="bogus")],
        )

    @strawberry.field
    def edges(self) -> Window:
        """Values at the scalars' edges: 32-bit ints, non-finite floats, lookalike types."""
        return Window(
            code="W03",
            ticket=_ticket(2**31 - 1, share=float("inf")),
            tickets=[
                _ticket(2**31, share=float("nan"), badges=["B", None]),
                _ticket(-(2**31), share=3, codes=(1, None, 2**40)),
                _ticket(True, display_number=7, share=True, codes=[True, 2.0]),
                _ticket(4.0, display_number=b"A004", status=Status.CLOSED, badges=iter("xy")),
                _ticket(5.5, codes=[], badges=("a", 1)),
            ],
        )

    @strawberry.field
    def count(self, codes: list[str] | None = None) -> int:
        return len(codes or [])

    @strawberry.field
    def strings(self) -> Window | None:
        """A string where a list is due: not iterated like a list."""
        return Window(code="W04", ticket=_ticket(6, badges="AB"), tickets=[])

    @strawberry.field
    async def later(self) -> Window:
        return _window()


QUERIES = [
    "{ window { code ticket { number displayNumber status calledAt share badges } } }",
    "{ window { tickets { number displayNumber status calledAt share } } }",
    "{ window { t: ticket { n: number d: displayNumber __typename } code } }",
    "{ window { ticket { number doubled(times: 3) status } } }",
    "query($s: Boolean!) { window { ticket { number @include(if: $s) share @skip(if: $s) } } }",
    "{ broken { code ticket { number displayNumber } tickets { number status } } }",
    "{ broken { tickets { displayNumber } ticket { status } } }",
    "{ edges { ticket { number share } tickets { number share displayNumber status } } }",
    "{ edges { tickets { share } } }",
    "{ edges { tickets { badges } } }",
    "{ edges { tickets { codes number } ticket { codes badges } } }",
    "{ window { tickets { badges codes } } }",
    "{ strings { ticket { badges } } }",
    "{ later { tickets { number calledAt } } }",
]


def _plain() -> strawberry.Schema:
    return strawberry.Schema(query=Query)


def _short() -> strawberry.Schema:
    return with_leaf_fields(lambda ctx: strawberry.Schema(query=Query, execution_context_class=ctx))


def _answer(schema: strawberry.Schema, query: str) -> tuple[Any, list[tuple[str, Any]]]:
    result = schema.execute_sync(query, variable_values={"s": True})
    errors = [(e.message, e.path) for e in result.errors or []]
    return result.data, errors


@pytest.mark.parametrize("query", [q for q in QUERIES if "later" not in q])
def test_answers_and_errors_are_the_same_as_the_general_path(query: str) -> None:
    assert _answer(_short(), query) == _answer(_plain(), query)


def test_async_execution_answers_the_same() -> None:
    query = QUERIES[-1]
    short = asyncio.run(_short().execute(query))
    plain = asyncio.run(_plain().execute(query))
    assert (short.data, short.errors) == (plain.data, plain.errors)
    assert short.data["later"]["tickets"][0] == {"number": 2, "calledAt": None}


def test_only_plain_leaves_take_the_short_path() -> None:
    plans = leaf_fields(_short()._schema)
    assert set(plans["Ticket"]) == {
        "number",
        "displayNumber",
        "status",
        "calledAt",
        "share",
        "badges",
        "codes",
    }
    assert "doubled" not in plans["Ticket"]  # a resolver with arguments
    assert (plans["Ticket"]["badges"].items_non_null, plans["Ticket"]["codes"].items_non_null) == (
        True,
        False,
    )
    assert set(plans["Window"]) == {"code"}


def test_the_gateway_schema_uses_the_short_path() -> None:
    schema = build_schema()
    assert issubclass(schema.execution_context_class, LeafExecutionContext)
    plans = schema.execution_context_class.leaf_fields  # type: ignore[attr-defined]
    assert {"waiting", "servedWithinTargetShare"} <= set(plans["QueueBoardStats"])


def test_shared_sub_selections_follow_the_variables_of_each_request() -> None:
    """The same document, run again with other @include / @skip values, answers accordingly.

    Parsed once (as the gateway's ParseCache does), so its field nodes are the same objects in
    every request and the sub-selections are shared between them.
    """
    short = with_leaf_fields(
        lambda ctx: strawberry.Schema(
            query=Query, execution_context_class=ctx, extensions=[ParseCache]
        )
    )
    plain = strawberry.Schema(query=Query, extensions=[ParseCache])
    query = """query($s: Boolean!, $codes: [String!]) { count(codes: $codes)
        window { ticket { number @include(if: $s) share @skip(if: $s) status } } }"""
    for s in (True, False, True, False):
        for codes in (None, ["A", "B"]):  # a list variable cannot be part of a key
            variables = {"s": s, "codes": codes}
            one = short.execute_sync(query, variable_values=variables)
            other = plain.execute_sync(query, variable_values=variables)
            assert (one.data, one.errors) == (other.data, other.errors)
            assert ("number" in one.data["window"]["ticket"]) is s
