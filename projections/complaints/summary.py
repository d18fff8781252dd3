"""The complaint register's figures per month (GB/T 36113 indicators): complaints received,
replied, the on-time reply rate, the substantiation rate (属实率) and the days to close, over
``complaint_register`` rows.

Definitions (months are ``YYYY-MM`` of dates in China, as the events recorded them):

- ``received``: complaints registered (登记, ``ComplaintReceived``) on a day of the month,
  rejected and withdrawn ones included.
- ``replied``: complaints whose current round was replied (意见反馈, ``ComplaintReplied``)
  on a day of the month: the reply closes the handling and its deadline. A reopening (重新办理)
  takes the complaint out of its reply's month until the new round is replied (then it counts
  in that reply's month). Rejected (不予受理, no due date) and withdrawn complaints are never
  replied and are in no rate.
- ``replied_on_time``: replied by the due date in force (Chinese working days, with the
  extensions) and no due date of the round missed before: ``replied_on_time`` as the register
  keeps it from the events (``ComplaintReplied.on_time``, ``ComplaintOverdue``).
  On-time rate ``on_time_rate`` = replied_on_time / replied.
- Findings of the replied complaints' rounds (a reply needs one): ``substantiated`` (属实),
  ``partly_substantiated`` (部分属实), ``not_substantiated`` (不属实). 属实率
  ``substantiation_rate`` = (substantiated + partly_substantiated) / (the three): both open a
  rectification; where only 属实 counts, read ``substantiated`` over the same denominator.
- Days to close: natural days from the day of acceptance (受理, the first; a reopening keeps
  it) to the day of the reply, over the complaints replied in the month;
  ``average_days_to_close`` and ``max_days_to_close``.

A figure is ``None`` when its denominator is 0. Nothing is compared with today. Rows written
before the register kept ``accepted_on`` / ``replied_on`` (``sql/0003``) count in no reply
month until ``yanshen rebuild complaint_register``.
"""

from __future__ import annotations

from dataclasses import dataclass

from psycopg.rows import class_row
from psycopg_pool import ConnectionPool

from projections.runtime.db import tenant_connection

__all__ = ["ComplaintMonthSummary", "complaint_summary"]


@dataclass(frozen=True)
class ComplaintMonthSummary:
    """The complaint register's figures of one month."""

    month: str
    """``YYYY-MM`` in China."""
    received: int
    replied: int
    replied_on_time: int
    substantiated: int
    partly_substantiated: int
    not_substantiated: int
    average_days_to_close: float | None
    max_days_to_close: int | None

    @property
    def on_time_rate(self) -> float | None:
        """On-time rate (按期答复率) = replied_on_time / replied."""
        return self.replied_on_time / self.replied if self.replied else None

    @property
    def with_finding(self) -> int:
        """The replied complaints with a finding: the denominator of 属实率."""
        return self.substantiated + self.partly_substantiated + self.not_substantiated

    @property
    def substantiation_rate(self) -> float | None:
        """属实率 = (substantiated + partly_substantiated) / with_finding."""
        found = self.substantiated + self.partly_substantiated
        return found / self.with_finding if self.with_finding else None


_SUMMARY = """
SELECT month,
       count(*) FILTER (WHERE kind = 'RECEIVED') AS received,
       count(*) FILTER (WHERE kind = 'REPLIED') AS replied,
       count(*) FILTER (WHERE kind = 'REPLIED' AND on_time) AS replied_on_time,
       count(*) FILTER (WHERE kind = 'REPLIED' AND finding = 'SUBSTANTIATED') AS substantiated,
       count(*) FILTER (WHERE kind = 'REPLIED' AND finding = 'PARTLY_SUBSTANTIATED')
           AS partly_substantiated,
       count(*) FILTER (WHERE kind = 'REPLIED' AND finding = 'NOT_SUBSTANTIATED')
           AS not_substantiated,
       avg(days)::float8 AS average_days_to_close,
       max(days) AS max_days_to_close
FROM (
    SELECT to_char(received_on, 'YYYY-MM') AS month, 'RECEIVED' AS kind,
           NULL::boolean AS on_time, NULL::text AS finding, NULL::integer AS days
    FROM complaint_register WHERE tenant_id = %(t)s
    UNION ALL
    SELECT to_char(replied_on, 'YYYY-MM'), 'REPLIED', replied_on_time, finding,
           replied_on - accepted_on
    FROM complaint_register WHERE tenant_id = %(t)s AND replied_on IS NOT NULL
) AS figures
WHERE (%(from)s::text IS NULL OR month >= %(from)s) AND (%(to)s::text IS NULL OR month <= %(to)s)
GROUP BY month
ORDER BY month
"""


def complaint_summary(
    pool: ConnectionPool,
    tenant_id: str,
    *,
    month_from: str | None = None,
    month_to: str | None = None,
) -> list[ComplaintMonthSummary]:
    """The figures of every month with a complaint received or replied, oldest first;
    ``month_from`` / ``month_to`` (``YYYY-MM``, inclusive) limit the months."""
    params = {"t": tenant_id, "from": month_from, "to": month_to}
    with tenant_connection(pool, tenant_id) as conn:
        cur = conn.cursor(row_factory=class_row(ComplaintMonthSummary))
        return cur.execute(_SUMMARY, params).fetchall()
