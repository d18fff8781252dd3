"""Auditors (审计): replay, time travel, verifiable exports and the access log of a hall.

- :class:`AuditReader`: the hall's event stream (filters, pages), a record as of a position
  or time, a record's field-level diff — each read first recorded in the hall's log
  (``AuditAccessRecorded``: who, role, what, why; a reason is required). A hall without a
  log is refused (:class:`UnknownHallError`) and nothing is recorded: a read never creates a
  hall.
- :mod:`services.audit.export` / :mod:`services.audit.verifier`: signed export bundles and
  their offline verifier (stdlib + ``cryptography`` only).
- :mod:`services.audit.heads`: publishing each hall's chain head (event + metric) and checking
  the chain against earlier published heads.
- :mod:`services.audit.replay`: a hall's history through fresh projections in a separate
  schema, compared with the live read models.
- :mod:`services.audit.trail`: the audit trail (操作日志), the hall's log searched by actor,
  record, type and time through expression indexes (no read model).

See ``docs/audit.md``.
"""

from __future__ import annotations

from services.audit.access import AccessEntry, list_access_log
from services.audit.application import Accessor, AuditLog
from services.audit.domain import AccessAction, AuditAccess, ChainHead, require_reason
from services.audit.errors import (
    AuditError,
    ReasonRequiredError,
    RecordNotFoundError,
    ReplayUnsettledError,
    UnknownHallError,
    UnreadableRecordError,
)
from services.audit.history import HistoryEntry, HistoryFilter, HistoryPage, read_history
from services.audit.reader import AuditReader
from services.audit.timetravel import FieldChange, Point, RecordDiff, RecordState, diff_states
from services.audit.values import REDACTED

__all__ = [
    "REDACTED",
    "AccessAction",
    "AccessEntry",
    "Accessor",
    "AuditAccess",
    "AuditError",
    "AuditLog",
    "AuditReader",
    "ChainHead",
    "FieldChange",
    "HistoryEntry",
    "HistoryFilter",
    "HistoryPage",
    "Point",
    "ReasonRequiredError",
    "RecordDiff",
    "RecordNotFoundError",
    "RecordState",
    "ReplayUnsettledError",
    "UnknownHallError",
    "UnreadableRecordError",
    "diff_states",
    "list_access_log",
    "read_history",
    "require_reason",
]
