"""An erasure (个人信息删除) and a keyed request storing its response lock the subject's keys
in the same order (by key id), so they never deadlock.

Storing a kept response locks the data keys its request used (``FOR SHARE``, by key id:
``gateway/idempotency/store.py``), so that an erasure of one of them waits and then drops the
response. An erasure destroying several keys of the subject (its own and a record's) must take
them in that order too: had it locked them as it found them, a request holding the first key
while the erasure held the second would wait for each other until the server killed one (a
failed erasure, or a request answered with an error although it was applied)."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import psycopg

from gateway.idempotency import store
from projections.runtime.db import tenant_connection
from services.privacy.keys import DESTROY
from services.store.pool import Pool
from services.store.request_key import DataKeysUsed

_LOW = uuid.UUID("00000000-0000-4000-8000-000000000001")
_HIGH = uuid.UUID("ffffffff-ffff-4fff-bfff-ffffffffffff")


def _keys_of_one_applicant(pool: Pool, hall: str) -> None:
    """A subject with its own key (the higher id, stored first) and a record holding only
    their data, with a record key (the lower id)."""
    record = str(uuid.uuid4())
    with tenant_connection(pool, hall) as conn:
        for subject, key_id in (("p-1", _HIGH), (f"record:{record}", _LOW)):
            conn.execute(
                "INSERT INTO subject_keys (tenant_id, subject_id, key_id, data_key)"
                " VALUES (%s, %s, %s, %s)",
                (hall, subject, key_id, bytes(32)),
            )
            conn.execute(
                "INSERT INTO subject_records (tenant_id, aggregate_id, subject_id)"
                " VALUES (%s, %s, %s)",
                (hall, record, subject),
            )


def _used(hall: str, *key_ids: uuid.UUID) -> DataKeysUsed:
    return DataKeysUsed({hall: set(key_ids)})


def _until_blocked(pool: Pool, thread: threading.Thread) -> None:
    deadline = time.monotonic() + 10
    while thread.is_alive() and time.monotonic() < deadline:
        with pool.connection() as conn:
            row = conn.execute("SELECT count(*) FROM pg_locks WHERE NOT granted").fetchone()
        if row and row[0]:
            return
        time.sleep(0.02)


def test_an_erasure_waits_for_a_response_being_stored_without_a_deadlock(
    app_pool: Pool, tenant_id: str
) -> None:
    _keys_of_one_applicant(app_pool, tenant_id)
    erased: list[Any] = []

    def erase() -> None:
        try:
            with tenant_connection(app_pool, tenant_id) as conn:
                rows = conn.execute(
                    DESTROY + " RETURNING key_id", {"tenant": tenant_id, "subject": "p-1"}
                ).fetchall()
                erased.append(sorted(r[0] for r in rows))
        except psycopg.Error as error:
            erased.append(error)

    with tenant_connection(app_pool, tenant_id) as storing:
        # The response's store has locked the lower key (keys are locked by id) ...
        assert not store._destroyed(storing, tenant_id, _used(tenant_id, _LOW))
        eraser = threading.Thread(target=erase)
        eraser.start()
        _until_blocked(app_pool, eraser)
        # ... and goes on to the higher one while the erasure waits.
        try:
            assert not store._destroyed(storing, tenant_id, _used(tenant_id, _HIGH))
        except psycopg.errors.DeadlockDetected as error:
            raise AssertionError("the response's store deadlocked with the erasure") from error
    eraser.join(10)
    assert erased == [[_LOW, _HIGH]], erased
