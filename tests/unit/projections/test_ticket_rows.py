"""queue_board and worklist read a queue day's common events (started, issued, called, served,
ended) from their stored rows (``raw_topics``, :mod:`projections.queue_days`): the statements
are the ones the same batches give with every event decoded, in one batch or across batches;
any state the row structs do not take is decoded; a group batch parses each row once for both
read models and decodes none of them for them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import psycopg
import pytest
from eventsourcing.domain import DomainEvent
from eventsourcing.utils import get_topic

from projections import queue_days
from projections.queue_board import QueueBoardProjection
from projections.runtime import Batch, EventRow, Projection, decode_row
from projections.runtime.tracking import Member, _decoded, _SharedRows
from projections.worklist import WorklistProjection
from services.halls import MissedNumberPolicy
from services.queue import QueueDay
from tests.unit.projections.support import stored_rows

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09:00 in China, on the service day


class _Cursor:
    def __init__(self, conn: _Conn) -> None:
        self.conn = conn

    def executemany(self, query: str, params: list[Any]) -> None:
        self.conn.statements.append((query, params))

    def fetchone(self) -> None:
        return None  # no day of an earlier batch on the board


class _Conn:
    """Records the statements; answers nothing."""

    def __init__(self) -> None:
        self.statements: list[tuple[str, Any]] = []

    def execute(self, query: str, params: Any = None, *, prepare: bool | None = None) -> _Cursor:
        self.statements.append((query, params))
        return _Cursor(self)

    def cursor(self) -> _Cursor:
        return _Cursor(self)


def _rows(events: list[DomainEvent], state: dict[int, bytes] | None = None) -> list[EventRow]:
    return stored_rows(events, state)


def _at(minutes: int) -> datetime:
    return NOW + timedelta(minutes=minutes)


def _day(queue: str, prefix: str) -> QueueDay:
    return QueueDay(
        hall_id="h1",
        queue_code=queue,
        service_day="2026-03-02",
        prefix=prefix,
        started_at=NOW,
        actor="kiosk-1",
        timestamp=NOW,
    )


def _log() -> list[DomainEvent]:
    """Two queues' day: served, recalled, missed (kept and requeued), moved to a window,
    transferred to the other queue and served there, removed, and the rest reset."""
    a, b = _day("A", "A"), _day("B", "B")
    for n in range(7):
        a.issue("KIOSK", "NONE", "", "", "", _at(n), "kiosk-1")
    a.call(1, "W01", "S001", _at(10), "S001")
    a.start_service(1, "W01", "S001", _at(11), "S001")
    a.end_service(1, "W01", "S001", "COMPLETED", _at(12), "S001")
    a.call(2, "W02", "S002", _at(13), "S002")
    a.recall(2, "W02", "S002", _at(14), "S002")
    a.mark_no_show(2, "W02", "S002", MissedNumberPolicy.KEEP, 0, _at(15), "S002")
    a.call(3, "W01", "S001", _at(16), "S001")
    a.mark_no_show(3, "W01", "S001", MissedNumberPolicy.REQUEUE, 0, _at(17), "S001")
    a.call(4, "W01", "S001", _at(18), "S001")
    a.transfer(4, "A", 4, "W02", "S001", _at(19), "S001")
    a.call(5, "W02", "S002", _at(20), "S002")
    a.transfer(5, "B", 1, "", "S002", _at(21), "S002")
    b.receive_transfer(a.ticket(5), "", _at(21), "S002")
    b.call(1, "W03", "S003", _at(22), "S003")
    b.start_service(1, "W03", "S004", _at(23), "S004")
    a.remove(6, "left", _at(24), "S001")
    a.call(7, "W01", "S001", _at(25), "S001")
    a.reset(_at(30), "S001")
    return [*a.collect_events(), *b.collect_events()]


def _apply(
    projection: Projection, batches: list[list[EventRow]], *, decode_all: bool = False
) -> list[tuple[str, Any]]:
    """The statements of ``apply_batch`` over ``batches``; ``decode_all``: with every row
    decoded (as before ``raw_topics``)."""
    conn = _Conn()
    parse = queue_days._PARSE
    try:
        if decode_all:
            queue_days._PARSE = {}
        for rows in batches:
            after, upto = rows[0].position - 1, rows[-1].position
            batch = Batch(cast(psycopg.Connection, conn), "h1", after, upto, _rows=rows)
            projection.apply_batch(cast(psycopg.Connection, conn), batch)
    finally:
        queue_days._PARSE = parse
    return conn.statements


PROJECTIONS = [QueueBoardProjection, WorklistProjection]


@pytest.mark.parametrize("projection", PROJECTIONS, ids=lambda p: p.name)
def test_rows_read_from_the_log_give_the_statements_of_the_decoded_events(projection):
    rows = _rows(_log())
    assert len(rows) == 27
    for split in [None, *range(1, len(rows))]:
        batches = [rows] if split is None else [rows[:split], rows[split:]]
        assert _apply(projection(), batches) == _apply(projection(), batches, decode_all=True)
    singles = [[row] for row in rows]  # every batch of one event
    assert _apply(projection(), singles) == _apply(projection(), singles, decode_all=True)


def _state(row: EventRow, **changes: Any) -> bytes:
    state = json.loads(row.state)
    state.update(changes)
    return json.dumps(state).encode()


@pytest.mark.parametrize("projection", PROJECTIONS, ids=lambda p: p.name)
def test_states_the_row_structs_refuse_are_decoded(projection, monkeypatch):
    """A newer class version (left as it is by the decoding), values of other types (a number
    as text, an erased badge, a datetime as a plain string): the decoded event's statements,
    not a failure or a guess."""
    decoded: list[int] = []

    def counted(row: EventRow) -> DomainEvent:
        decoded.append(row.position)
        return decode_row(row)

    monkeypatch.setattr("projections.runtime.batch.decode_row", counted)
    rows = _rows(_log())
    topics = {r.position: r.topic.rsplit(".", 1)[1] for r in rows}
    issued = next(r for r in rows if topics[r.position] == "TicketIssued")
    called = next(r for r in rows if topics[r.position] == "TicketCalled")
    serving = next(r for r in rows if topics[r.position] == "ServiceStarted")
    ended = next(r for r in rows if topics[r.position] == "ServiceEnded")
    odd = {
        issued.position: _state(issued, class_version=2),
        called.position: _state(called, staff_badge={"_erased_": True}),
        serving.position: _state(serving, started_at="2026-03-02T01:11:00+00:00"),
        ended.position: _state(ended, number=True),
    }
    refused = _rows(_log(), state=odd)
    statements = _apply(projection(), [refused])
    rare = {"TicketRecalled", "TicketMarkedNoShow", "TicketTransferred", "TicketRemoved"}
    rare.add("QueueReset")
    assert decoded == sorted(set(odd) | {p for p, topic in topics.items() if topic in rare})
    assert statements == _apply(projection(), [refused], decode_all=True)


def test_a_group_batch_parses_each_row_once_and_decodes_none_for_the_folds(monkeypatch):
    members = [QueueBoardProjection(), WorklistProjection()]
    wanted = _decoded([Member.live(p) for p in members])
    assert wanted is not None
    for cls in (QueueDay.Started, QueueDay.TicketIssued, QueueDay.TicketCalled):
        assert get_topic(cls) not in wanted
    for cls in (QueueDay.ServiceStarted, QueueDay.ServiceEnded):
        assert get_topic(cls) not in wanted
    assert get_topic(QueueDay.TicketRecalled) in wanted
    parsed: list[int] = []

    def counting(parse: Any) -> Any:
        def counted(day: Any, state: bytes) -> Any:
            parsed.append(day)
            return parse(day, state)

        return counted

    monkeypatch.setattr(
        queue_days, "_PARSE", {t: counting(p) for t, p in queue_days._PARSE.items()}
    )
    rows = _rows(_log())
    source = _SharedRows()
    source.rows = rows
    source.decode_all(wanted)
    assert set(source.events) == {r.position for r in rows if r.topic in wanted}
    conn = _Conn()
    for projection in members:
        batch = Batch(
            cast(psycopg.Connection, conn),
            "h1",
            0,
            rows[-1].position,
            topics=projection.topics(),
            source=source,
        )
        projection.apply_batch(cast(psycopg.Connection, conn), batch)
    assert len(parsed) == sum(1 for r in rows if r.topic in queue_days.TOPICS)
    alone = _Conn()
    for projection in members:
        batch = Batch(cast(psycopg.Connection, alone), "h1", 0, rows[-1].position, _rows=rows)
        projection.apply_batch(cast(psycopg.Connection, alone), batch)
    assert conn.statements == alone.statements
