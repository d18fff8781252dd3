"""A worker started while another catches up a long backlog gets its fair share of the halls
within seconds, with the default lease TTL, not only once the catch-up is over. (A database
of its own: fair shares depend on how many halls exist.)"""

from __future__ import annotations

from tests.integration.projections.sharing import (
    CONSUMER,
    Recording,
    Running,
    assert_applied_once,
    behind,
    holders,
    write_tickets,
)
from tests.integration.projections.support import positions, wait_until


def test_a_worker_started_during_a_long_catch_up_gets_its_fair_share_at_once(
    db_url, own_platform, recorded
):
    halls = [f"share-{c}" for c in "abcd"]
    write_tickets(own_platform, halls, 80)
    # Two positions a batch, a tenth of a second each: 16 s for one worker alone.
    slow = Recording(pause=0.1)
    a = Running(db_url, slow, "share-a", batch_size=2).start()  # the default lease TTL
    b: Running | None = None
    try:
        wait_until(lambda: holders(db_url).get("share-a") == set(halls), 30, "a holds all")
        wait_until(lambda: any(positions(db_url, CONSUMER).values()), 30, "a applies batches")
        b = Running(db_url, slow, "share-b", batch_size=2).start()
        took = wait_until(
            lambda: len(holders(db_url).get("share-b", ())) == 2,
            8,
            "the second worker holds its fair share (2 of 4 halls)",
        )
        assert behind(db_url, halls), f"b got its share only after the catch-up ({took:.1f} s)"
        mine = holders(db_url)["share-b"]
        assert holders(db_url)["share-a"] == set(halls) - mine
        start = positions(db_url, CONSUMER)
        wait_until(
            lambda: all(positions(db_url, CONSUMER)[h] > start[h] for h in mine),
            30,
            "the second worker applies its halls' batches",
        )
    finally:
        a.stop()
        if b is not None:
            b.stop()
    assert_applied_once(db_url, halls)
