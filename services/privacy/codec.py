"""Sealing personal fields on the way into the event store, opening them on the way out.

The store's recorders call :data:`CODEC` (see ``services/store/personal.py``):

- :meth:`PersonalDataCodec.seal_events` before an append: the personal fields of events whose
  topic has any (:mod:`services.privacy.fields`) are replaced by sealed values under their
  subject's key (one extra round trip per commit that carries personal data; none otherwise).
- :meth:`PersonalDataCodec.open_events` after a read: sealed values are replaced by their
  plaintext while the key exists, and by :data:`~services.privacy.sealing.ERASED` after it
  was destroyed (one extra round trip per batch that holds sealed values; none otherwise).
- :meth:`PersonalDataCodec.seal_snapshots` / :meth:`PersonalDataCodec.open_snapshots`: the
  snapshot of a record that holds personal data is sealed whole; once its key is destroyed the
  snapshot is ignored and the aggregate is rebuilt from its (erased) events.

The hash chain is computed by the database over the stored, sealed bytes, so it verifies
before and after any erasure.

Inside a keyed gateway request every key that seals or opens a value is noted
(:func:`~services.store.request_key.note_data_keys`): the response kept for the request's
idempotency key may hold that plaintext, and goes when the key is destroyed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import is_dataclass, replace
from typing import Any, Protocol, TypeVar
from uuid import UUID

from services.privacy.fields import PERSONAL_SPECS
from services.privacy.keys import Fetch, load_keys, record_key, resolve_keys
from services.privacy.sealing import (
    ERASED,
    associated_data,
    is_sealed,
    open_value,
    seal_value,
    sealed_key_id,
)
from services.store.request_key import note_data_keys

__all__ = ["CODEC", "PersonalDataCodec", "StoredLike"]


class StoredLike(Protocol):
    """A stored event as some reader holds it: the library's ``StoredEvent`` or
    ``Notification`` (dataclasses), or a row tuple with these fields (``_replace``)."""

    @property
    def originator_id(self) -> Any: ...
    @property
    def originator_version(self) -> int: ...
    @property
    def topic(self) -> str: ...
    @property
    def state(self) -> bytes: ...


E = TypeVar("E", bound=StoredLike)

_MARK = b'"_sealed_"'
_SNAPSHOT_FIELD = "state"


def _load(state: bytes) -> dict[str, Any] | None:
    """The JSON object of a stored state, or ``None`` (not JSON: left exactly as stored)."""
    try:
        value = json.loads(state)
    except (ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None


def _dump(state: dict[str, Any]) -> bytes:
    # The library's JSONTranscoder writes the same way (compact, UTF-8).
    return json.dumps(state, ensure_ascii=False, separators=(",", ":")).encode()


def _with_state(stored: E, state: dict[str, Any]) -> E:
    data = _dump(state)
    if is_dataclass(stored):
        return replace(stored, state=data)
    return stored._replace(state=data)  # type: ignore[attr-defined,no-any-return]


def _needs_seal(value: Any) -> bool:
    return value is not None and value != "" and not is_sealed(value)


class PersonalDataCodec:
    """Stateless: every call is given the hall and its statement runner."""

    def seal_events(self, fetch: Fetch, tenant_id: str, events: Sequence[E]) -> Sequence[E]:
        """``events`` with their personal fields sealed (the same list if there are none)."""
        pending: list[tuple[int, frozenset[str], dict[str, Any], str | None]] = []
        for i, event in enumerate(events):
            spec = PERSONAL_SPECS.get(event.topic)
            if spec is None:
                continue
            state = _load(event.state)
            if state is None or not any(_needs_seal(state.get(f)) for f in spec.fields):
                continue
            pending.append((i, spec.fields, state, spec.subject_of(state)))
        if not pending:
            return events
        keys = resolve_keys(
            fetch, tenant_id, [(str(events[i].originator_id), s) for i, _, _, s in pending]
        )
        note_data_keys(tenant_id, (key.key_id for key in keys))
        sealed = list(events)
        for (i, fields, state, _), key in zip(pending, keys, strict=True):
            event = events[i]
            for field in fields:
                if _needs_seal(state.get(field)):
                    where = associated_data(
                        tenant_id, str(event.originator_id), event.originator_version, field
                    )
                    state[field] = seal_value(key.key, key.key_id, state[field], where)
            sealed[i] = _with_state(event, state)
        return sealed

    def open_events(self, fetch: Fetch, tenant_id: str, events: list[E]) -> list[E]:
        """``events`` with sealed values opened, or erased where the key is gone."""
        pending: list[tuple[int, dict[str, Any]]] = []
        for i, event in enumerate(events):
            if _MARK in event.state:
                state = _load(event.state)
                if state is not None and any(is_sealed(v) for v in state.values()):
                    pending.append((i, state))
        if not pending:
            return events
        keys = self._keys(fetch, tenant_id, [s for _, s in pending])
        opened = list(events)
        for i, state in pending:
            event = events[i]
            for field, value in state.items():
                if is_sealed(value):
                    key = keys.get(sealed_key_id(value))
                    where = associated_data(
                        tenant_id, str(event.originator_id), event.originator_version, field
                    )
                    state[field] = ERASED if key is None else open_value(key, value, where)
            opened[i] = _with_state(event, state)
        return opened

    def seal_snapshots(self, fetch: Fetch, tenant_id: str, snapshots: Sequence[E]) -> Sequence[E]:
        """Seal the whole state of snapshots of records that hold personal data."""
        sealed = list(snapshots)
        for i, snapshot in enumerate(snapshots):
            key = record_key(fetch, tenant_id, str(snapshot.originator_id))
            state = _load(snapshot.state) if key is not None else None
            if key is None or state is None or _SNAPSHOT_FIELD not in state:
                continue
            note_data_keys(tenant_id, [key.key_id])
            where = associated_data(
                tenant_id, str(snapshot.originator_id), snapshot.originator_version, "snapshot"
            )
            state[_SNAPSHOT_FIELD] = seal_value(key.key, key.key_id, state[_SNAPSHOT_FIELD], where)
            sealed[i] = _with_state(snapshot, state)
        return sealed

    def open_snapshots(self, fetch: Fetch, tenant_id: str, snapshots: list[E]) -> list[E]:
        """Open sealed snapshots; drop those whose key was destroyed."""
        pending = [
            (i, state)
            for i, s in enumerate(snapshots)
            if _MARK in s.state
            and (state := _load(s.state)) is not None
            and is_sealed(state.get(_SNAPSHOT_FIELD))
        ]
        if not pending:
            return snapshots
        keys = self._keys(fetch, tenant_id, [s for _, s in pending])
        opened: list[E | None] = list(snapshots)
        for i, state in pending:
            snapshot = snapshots[i]
            value = state[_SNAPSHOT_FIELD]
            key = keys.get(sealed_key_id(value))
            if key is None:
                opened[i] = None
                continue
            where = associated_data(
                tenant_id, str(snapshot.originator_id), snapshot.originator_version, "snapshot"
            )
            state[_SNAPSHOT_FIELD] = open_value(key, value, where)
            opened[i] = _with_state(snapshot, state)
        return [s for s in opened if s is not None]

    @staticmethod
    def _keys(fetch: Fetch, tenant_id: str, states: list[dict[str, Any]]) -> dict[UUID, bytes]:
        wanted = {sealed_key_id(v) for state in states for v in state.values() if is_sealed(v)}
        keys = load_keys(fetch, tenant_id, sorted(wanted))
        note_data_keys(tenant_id, keys)  # the ones that opened a value (the others: erased)
        return keys


CODEC = PersonalDataCodec()
"""The codec the store's recorders use."""
