"""A staff worklist is found through its indexes whatever the badge's case (工号: s001 is
S001): the view compares ``upper(badge)``, so each of its four tables needs an index on
``(tenant_id, upper(badge column))``; an index on the plain column would leave every request
reading all of the hall's worklist rows."""

from __future__ import annotations

import re

import psycopg

from projections.worklist.view import _ITEMS

TABLES = {
    "worklist_tickets": "staff_badge",
    "worklist_cases": "responsible",
    "worklist_complaints": "assignee",
    "worklist_rectifications": "responsible",
}


def test_every_part_of_the_worklist_is_read_through_an_index_on_the_upper_case_badge(
    database_url: str,
) -> None:
    with psycopg.connect(database_url) as conn:
        conn.execute("SET LOCAL enable_seqscan = off")
        conn.execute("SET LOCAL enable_bitmapscan = off")
        plan = "\n".join(
            str(row[0])
            for row in conn.execute(f"EXPLAIN {_ITEMS}", {"t": "h-any", "b": "s001"}).fetchall()
        )
        conn.rollback()
    for table, column in TABLES.items():
        scan = re.search(
            rf"Index (?:Only )?Scan using \w+ on {table}\b.*?\n(\s+Index Cond: [^\n]*)", plan
        )
        assert scan is not None, f"{table} is not read through an index:\n{plan}"
        assert f"upper({column})" in scan.group(1), f"{table}: {scan.group(1)}\n{plan}"
