"""evaluation_ratings reads invitations and ratings from their stored rows (``raw_topics``):
the rows and statements are the ones its handlers give for the decoded events, in one batch
or across batches, and any state the row structs do not take goes through the handlers."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, cast

import psycopg
import pytest
from eventsourcing.domain import DomainEvent
from eventsourcing.persistence import MapperDeserialisationError
from eventsourcing.utils import get_topic

from projections.evaluations import EvaluationRatingsProjection
from projections.runtime import Batch, BatchRows, EventRow, decode_row
from projections.runtime.tracking import Member, _decoded, _SharedRows
from services.evaluations.domain import Evaluation
from services.rectifications.domain import Rectification
from tests.unit.projections.support import stored_rows

NOW = datetime(2026, 3, 2, 15, 59, 30, tzinfo=UTC)  # 23:59:30 in China: still 2 March


class _Conn:
    """Records the statements; answers nothing."""

    def __init__(self) -> None:
        self.statements: list[tuple[str, Any]] = []

    def execute(self, query: str, params: Any = None, *, prepare: bool | None = None) -> None:
        self.statements.append((query, params))


def _rows(*events: DomainEvent, state: dict[int, bytes] | None = None) -> list[EventRow]:
    return stored_rows(list(events), state)


def _evaluation(applicant_id: str = "a-1", *, rated: bool = True, ref: str = "T-1") -> Evaluation:
    evaluation = Evaluation.invite(
        hall_id="h1",
        subject_kind="VISIT",
        subject_ref=ref,
        channel="OFFLINE",
        applicant_id=applicant_id,
        window_code="W01",
        staff_badge="S001",
        item_code="X1",
        rating_code="" if applicant_id else "123456",
        now=NOW,
        unrated_default_days=7,
        actor="S001",
    )
    if rated:
        evaluation.submit(
            "SATISFIED", {"OVERALL": 4}, "好", voluntary=True, now=NOW, actor=applicant_id
        )
    return evaluation


def _from_rows(batches: list[list[EventRow]]) -> list[tuple[str, Any]]:
    """The statements of ``apply_batch`` over ``batches`` (each a batch of stored rows)."""
    conn, projection = _Conn(), EvaluationRatingsProjection()
    for rows in batches:
        after, upto = rows[0].position - 1, rows[-1].position
        batch = Batch(cast(psycopg.Connection, conn), "h1", after, upto, _rows=rows)
        projection.apply_batch(cast(psycopg.Connection, conn), batch)
    return conn.statements


def _by_handlers(batches: list[list[EventRow]]) -> list[tuple[str, Any]]:
    """The statements of the handlers, event by event, for the same batches."""
    conn, projection = _Conn(), EvaluationRatingsProjection()
    for rows in batches:
        handlers = BatchRows(cast(psycopg.Connection, conn))
        for row in rows:
            projection.apply(
                decode_row(row), cast(psycopg.Connection, handlers), "h1", row.position
            )
        handlers.flush()
    return conn.statements


@pytest.mark.parametrize("split", [None, 1], ids=["one batch", "rated in the next batch"])
def test_rows_read_from_the_log_equal_the_handlers_rows(split: int | None):
    rows = _rows(*_evaluation().collect_events())
    batches = [rows] if split is None else [rows[:split], rows[split:]]
    statements = _from_rows(batches)
    assert statements == _by_handlers(batches)
    if split is None:  # invited and rated in one batch: one row, rated, in one statement
        ((sql, params),) = statements
        assert sql.startswith("INSERT")
        assert params[16] == "SATISFIED"
        assert (str(params[12]), params[13]) == ("2026-03-02", "2026-03")
    else:  # the rating of an earlier batch's invitation: an UPDATE by key
        assert [sql.split()[0] for sql, _ in statements] == ["INSERT", "UPDATE"]


def test_many_invitations_travel_as_one_json_array():
    events = [e for n in range(3) for e in _evaluation(rated=False, ref=f"T-{n}").collect_events()]
    rows = _rows(*events)
    statements = _from_rows([rows])
    assert statements == _by_handlers([rows])
    ((sql, (payload,)),) = statements
    assert "json_populate_recordset" in sql
    assert [r["month"] for r in json.loads(payload)] == ["2026-03"] * 3


def _state(row: EventRow, **changes: Any) -> bytes:
    state = json.loads(row.state)
    state.update(changes)
    return json.dumps(state).encode()


def test_states_the_row_structs_refuse_go_through_the_handlers(monkeypatch):
    """A v1 invitation (upcast by the decoding), an erased applicant id (not a string): the
    handlers' rows, not a failure or a guess."""
    decoded: list[str] = []

    def counted(row: EventRow) -> DomainEvent:
        decoded.append(row.topic.rsplit(".", 1)[1])
        return decode_row(row)

    monkeypatch.setattr("projections.runtime.batch.decode_row", counted)
    invited, rated = _rows(*_evaluation().collect_events())
    v1 = json.loads(invited.state)
    del v1["rating_code_hash"]
    v1["class_version"] = 1
    odd = {
        1: json.dumps(v1).encode(),
        2: _state(rated, applicant_id={"_erased_": True}),
    }
    rows = _rows(*_evaluation().collect_events(), state=odd)
    assert _from_rows([rows]) == _by_handlers([rows])
    assert decoded == ["Invited", "RatingSubmitted"]
    sealed = _rows(*_evaluation().collect_events(), state={1: _state(invited, applicant_id=7)})
    assert _from_rows([sealed]) == _by_handlers([sealed])
    assert decoded[2:] == ["Invited"]
    assert _from_rows([_rows(*_evaluation().collect_events())])
    assert len(decoded) == 3  # the usual states are not decoded


def test_a_group_batch_does_not_decode_the_rows_a_projection_reads_itself():
    """Only topics some member iterates as events are decoded ahead (Rectification.Opened
    is decoded for evaluation_ratings' handler, invitations and ratings are not)."""
    projection = EvaluationRatingsProjection()
    wanted = _decoded([Member.live(projection)])
    assert wanted is not None
    assert get_topic(Evaluation.Invited) not in wanted
    assert get_topic(Evaluation.RatingSubmitted) not in wanted
    assert get_topic(Rectification.Opened) in wanted
    assert get_topic(Evaluation.RatingExcluded) in wanted
    rows = _rows(*_evaluation().collect_events())
    source = _SharedRows()
    source.rows = rows
    source.decode_all(wanted)
    assert source.events == {}


def test_a_state_no_decoding_takes_fails_the_batch_as_before():
    (invited,) = _rows(*_evaluation(rated=False).collect_events())
    bad = _state(invited, timestamp={"_type_": "datetime_iso", "_data_": "2. März"})
    with pytest.raises(MapperDeserialisationError):
        _from_rows([_rows(*_evaluation(rated=False).collect_events(), state={1: bad})])
