"""The log read of a batch names its topics in the statement (a constant array the server
searches through a hash table), quoted as SQL strings whatever they contain."""

from __future__ import annotations

from projections.runtime.batch import _select_sql


def test_every_topic_is_one_quoted_element_of_a_constant_array():
    sql = _select_sql(frozenset({"services.queue.domain.day:QueueDay.TicketIssued", "b:B"}))

    assert sql.endswith(
        " AND topic = ANY(ARRAY['b:B', 'services.queue.domain.day:QueueDay.TicketIssued']"
        "::text[]) ORDER BY position"
    )
    assert sql.count("%s") == 3  # the hall and the range stay parameters


def test_quotes_and_percent_signs_in_a_topic_cannot_break_the_statement():
    sql = _select_sql(frozenset({"x' OR true --:%s"}))

    assert "ARRAY['x'' OR true --:%%s']::text[]" in sql
    assert sql.replace("%%", "").count("%s") == 3


def test_every_topic_read_without_a_topic_condition():
    assert "topic" not in _select_sql(None).split("WHERE", 1)[1]
