"""The delivery rules of a grant's history: live, revocation, backfill, replay."""

from __future__ import annotations

from services.partners import (
    AccessPolicy,
    Backfill,
    BackfillScope,
    Delivery,
    GrantChange,
    GrantStart,
)

A, B = "queue.TicketIssued", "queue.TicketCalled"


def change(position, *types, personal=False, start=GrantStart.NOW):
    return GrantChange(position, frozenset(types), personal, start, active=bool(types))


FULL, REDACTED = Delivery.FULL, Delivery.REDACTED


def test_nothing_is_delivered_before_the_first_grant_or_at_its_own_position():
    policy = AccessPolicy([change(5, A)])
    assert [policy.live(p, A) for p in (1, 4, 5)] == [None, None, None]
    assert policy.live(6, A) is Delivery.REDACTED
    assert policy.live(6, B) is None


def test_a_revocation_stops_delivery_from_its_position_on():
    policy = AccessPolicy([change(5, A), change(9)])
    assert policy.live(8, A) is Delivery.REDACTED
    assert policy.live(9, A) is Delivery.REDACTED  # the revocation itself is at 9
    assert policy.live(10, A) is None
    assert policy.live(1000, A) is None


def test_personal_data_only_with_a_grant_that_includes_it():
    policy = AccessPolicy([change(2, A), change(7, A, personal=True)])
    assert policy.live(5, A) is Delivery.REDACTED
    assert policy.live(8, A) is Delivery.FULL


def test_a_grant_from_the_beginning_backfills_only_the_types_it_adds():
    policy = AccessPolicy(
        [change(3, A, start=GrantStart.BEGINNING), change(8, A, B, start=GrantStart.BEGINNING)]
    )
    assert policy.backfills(0, 100) == [
        Backfill(3, frozenset({A}), Delivery.REDACTED),
        Backfill(8, frozenset({B}), Delivery.REDACTED),
    ]
    assert policy.backfills(3, 100) == [Backfill(8, frozenset({B}), Delivery.REDACTED)]
    assert policy.backfills(8, 100) == []
    assert AccessPolicy([change(3, A)]).backfills(0, 100) == []


def test_a_re_grant_after_a_revocation_backfills_again():
    policy = AccessPolicy([change(3, A), change(5), change(9, A, start=GrantStart.BEGINNING)])
    assert policy.backfills(0, 9) == [Backfill(9, frozenset({A}), Delivery.REDACTED)]


def test_replay_resends_what_was_sent_the_latest_decision_winning():
    policy = AccessPolicy(
        [change(3, A), change(6), change(9, A, personal=True, start=GrantStart.BEGINNING)]
    )
    assert policy.replay(2, A, 8, {}) is None  # before the grant, no backfill yet
    assert policy.replay(4, A, 8, {}) is Delivery.REDACTED
    assert policy.replay(7, A, 8, {}) is None  # revoked
    assert policy.replay(4, A, 9, {}) is Delivery.FULL  # the backfill at 9 re-sent it
    assert policy.replay(7, A, 9, {}) is Delivery.FULL
    assert policy.replay(10, B, 20, {}) is None


def test_a_revocation_marks_the_backfills_before_it_and_not_a_later_re_grants():
    policy = AccessPolicy(
        [
            change(5, A, start=GrantStart.BEGINNING),
            change(7, A, B),
            change(9),
            change(12, A, start=GrantStart.BEGINNING),
        ]
    )
    assert policy.backfills(0, 100) == [
        Backfill(5, frozenset({A}), REDACTED, (BackfillScope(9, frozenset(), REDACTED),)),
        Backfill(12, frozenset({A}), Delivery.REDACTED),  # the whole history again
    ]


def test_replay_re_sends_of_a_revoked_backfill_only_what_it_had_delivered():
    """The backfill at 10 got to position 4 (its cursor) when the revocation at 12 was
    read; the re-grant at 15 (NOW) makes a replay possible: 1-4 were sent, 5-9 never."""
    policy = AccessPolicy([change(10, A, start=GrantStart.BEGINNING), change(12), change(15, A)])
    assert [policy.replay(p, A, 20, {(10, 10): 4}) for p in (3, 4, 5, 9)] == [
        Delivery.REDACTED,
        Delivery.REDACTED,
        None,
        None,
    ]
    assert policy.replay(11, A, 20, {(10, 10): 4}) is REDACTED  # live, before the revocation
    assert policy.replay(3, A, 20, {}) is None  # the backfill never started
    assert policy.replay(9, A, 20, {(10, 10): 9}) is REDACTED  # it had finished


def test_granted_ever_names_every_type_of_the_history():
    policy = AccessPolicy([change(3, A), change(5), change(9, B)])
    assert policy.granted_ever == {A, B}
    assert AccessPolicy([]).granted_ever == frozenset()


def test_next_live_skips_ranges_without_an_active_grant():
    policy = AccessPolicy([change(5, A), change(9), change(20, B)])
    assert policy.next_live(0) == 6
    assert policy.next_live(6) == 7
    assert policy.next_live(9) == 21  # revoked from 9 until the grant at 20
    assert policy.next_live(25) == 26
    assert AccessPolicy([change(5, A), change(9)]).next_live(9) is None
    assert AccessPolicy([]).next_live(0) is None


def test_a_later_change_narrows_what_is_left_of_a_backfill():
    """Granted A and B with personal data from the beginning at 10; at 12 personal data
    off, at 14 A only, at 16 A and B again (from now on): the rest of the backfill sends A,
    redacted, for good; the re-grant of B from now on does not widen it back."""
    policy = AccessPolicy(
        [
            change(10, A, B, personal=True, start=GrantStart.BEGINNING),
            change(12, A, B),
            change(14, A),
            change(16, A, B, personal=True),
        ]
    )
    (backfill,) = policy.backfills(0, 100)
    assert backfill.narrowed == (
        BackfillScope(12, frozenset({A, B}), REDACTED),
        BackfillScope(14, frozenset({A}), REDACTED),
    )
    assert backfill.current == BackfillScope(14, frozenset({A}), REDACTED)
    assert not backfill.cut


def test_widening_or_the_same_scope_again_does_not_narrow_a_backfill():
    policy = AccessPolicy(
        [
            change(10, A, personal=True, start=GrantStart.BEGINNING),
            change(12, A, B, personal=True, start=GrantStart.BEGINNING),
        ]
    )
    assert policy.backfills(0, 100) == [
        Backfill(10, frozenset({A}), FULL),
        Backfill(12, frozenset({B}), FULL),  # the added type: a backfill of its own
    ]


def test_narrowing_to_no_type_cuts_the_backfill_like_a_revocation():
    policy = AccessPolicy([change(10, A, start=GrantStart.BEGINNING), change(12, B)])
    assert policy.backfills(0, 100)[0].cut


def test_replay_re_sends_each_part_of_a_narrowed_backfill_as_it_was_sent():
    """The backfill at 10 (A, B, personal data) got to 4 under its own scope, then personal
    data was taken off at 12 (the rest, 5-9, went out redacted), then B at 14 after it had
    finished: nothing of it was sent under that scope."""
    policy = AccessPolicy(
        [
            change(10, A, B, personal=True, start=GrantStart.BEGINNING),
            change(12, A, B),
            change(14, A),
        ]
    )
    reached = {(10, 10): 4, (10, 12): 9}
    assert [policy.replay(p, B, 20, reached) for p in (4, 5, 9)] == [FULL, REDACTED, REDACTED]
    assert policy.replay(4, A, 20, {(10, 10): 9}) is FULL  # finished before the narrowing
    assert policy.replay(4, A, 20, {}) is REDACTED  # narrowed before it started
