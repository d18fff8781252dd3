"""A request that cannot get a database connection is UNAVAILABLE (retry), not INTERNAL."""

from __future__ import annotations

import psycopg
import psycopg_pool
from eventsourcing import persistence as es
from graphql import GraphQLError

from gateway.errors import CODES, classify, coded


def _wrapped(error: Exception) -> GraphQLError:
    """``error`` as the store raises it (the library's error, psycopg's as its cause)."""
    try:
        try:
            raise error
        except psycopg.Error as cause:
            raise es.OperationalError(str(cause)) from cause
    except es.OperationalError as translated:
        return GraphQLError("x", path=["serviceCatalog"], original_error=translated)


def test_no_connection_within_the_pool_timeout_is_unavailable():
    code, message = classify(_wrapped(psycopg_pool.PoolTimeout("couldn't get a connection")))
    assert code == "UNAVAILABLE"
    assert "try again" in message
    assert "UNAVAILABLE" in CODES


def test_a_lost_server_is_unavailable_and_its_text_is_not_echoed():
    error = coded(_wrapped(psycopg.OperationalError("connection refused to 10.0.0.5")), "r1")
    assert error.extensions == {"code": "UNAVAILABLE", "requestId": "r1"}
    assert "10.0.0.5" not in error.message


def test_a_failing_statement_is_still_internal():
    assert classify(_wrapped(psycopg.errors.DivisionByZero("division by zero")))[0] == "INTERNAL"
